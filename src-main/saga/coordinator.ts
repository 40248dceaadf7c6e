// The coordinator runs sagas: saga row first, then per step a committed `pending` row,
// the dispatch, and the outcome; on failure it undoes the succeeded compensatable steps
// newest first, recording each undo before sending it. Many sagas run at once; each write
// is its own transaction, so they interleave only between writes.
import crypto from 'node:crypto';
import type { z } from 'zod';
import type { SagaState } from '../../src-shared/saga-model';
import { Command, abortReason, errorMessage } from './command';
import { type CrashPointName, crashPoint, loadCrashPoint } from './crash-points';
import type { SagaDefinition, StepDefinition } from './define-saga';
import type { SagaLog } from './log/saga-log';
import { toLogJson } from './redaction';
import type { DispatchResult, Router } from './router';
import { SagaEvents } from './saga-events';
import { describeZodIssue } from '../../src-shared/zod-issue';

export interface CoordinatorOptions {
  events?: SagaEvents;
  /** Stamped on every saga this coordinator starts, so recovery can tell launches apart. */
  bootId?: string | null;
  /** Deadline of a step (and of its undo) unless the step sets its own. */
  defaultDeadlineMs?: number;
}

export interface RunOptions {
  /** Aborting fails the step in flight (the peer is told to cancel) and compensates; undos are not cancellable. */
  signal?: AbortSignal;
}

export interface SagaOutcome {
  sagaId: number;
  name: string;
  /**
   * The state the log holds at the end: completed, failed or failed_compensation; running or
   * compensating only when the saga was left for launch-time recovery (see leftForRecovery).
   */
  state: SagaState;
  /** Outputs of the forward steps that succeeded, by step index. */
  outputs: unknown[];
  failureReason: string | null;
  /** The forward step whose failure started compensation, when one did. */
  failedStep: number | null;
  /** Forward steps undone, newest first. */
  compensated: number[];
  /** Why the saga was left for recovery (shutdown's grace ran out, or the log refused a write); else null. */
  leftForRecovery: string | null;
}

export interface StartedSaga {
  sagaId: number;
  done: Promise<SagaOutcome>;
}

export interface ShutdownResult {
  /** Sagas that finished within the grace period. */
  finished: number;
  /** Ids left running for launch-time recovery. */
  leftRunning: number[];
}

/** Bad input to a saga: nothing was written. */
export class SagaInputError extends Error {
  override readonly name = 'SagaInputError';
}

/** The coordinator does not accept sagas (shutting down, or the log is read-only). */
export class SagaRefusedError extends Error {
  override readonly name = 'SagaRefusedError';
  constructor(
    /** Callers answer differently: shutting down passes, a read-only log stays so for this launch. */
    readonly reason: 'shutting_down' | 'read_only',
    message: string,
  ) {
    super(message);
  }
}

/** A log write failed or the coordinator detached: no further writes or dispatches for this saga. */
class StopSaga extends Error {}

interface SucceededStep {
  index: number;
  step: StepDefinition<unknown>;
  command: Command;
  output: unknown;
}

interface Run {
  def: SagaDefinition<unknown>;
  sagaId: number;
  input: unknown;
  signal: AbortSignal | undefined;
  state: SagaState;
  outputs: unknown[];
  succeeded: SucceededStep[];
  compensated: number[];
}

export const DEFAULT_STEP_DEADLINE_MS = 30_000;

export class Coordinator {
  readonly events: SagaEvents;
  private readonly bootId: string | null;
  private readonly defaultDeadlineMs: number;
  private readonly inFlight = new Map<number, Promise<SagaOutcome>>();
  private closedReason: string | null = null;
  /** Set when shutdown's grace has run out: in-flight sagas write and send nothing more. */
  private detached = false;

  constructor(
    private readonly log: SagaLog,
    private readonly router: Router,
    options: CoordinatorOptions = {},
  ) {
    this.events = options.events ?? new SagaEvents();
    this.bootId = options.bootId ?? null;
    this.defaultDeadlineMs = options.defaultDeadlineMs ?? DEFAULT_STEP_DEADLINE_MS;
    // A malformed LAUNCHER_CRASH_AT must fail the launch, not be silently inert.
    loadCrashPoint();
  }

  /** Number of sagas running now. */
  get running(): number {
    return this.inFlight.size;
  }

  /**
   * Validates the input, writes the saga row and begins running it. Throws SagaInputError
   * (nothing written), SagaRefusedError, or the log's error when the saga row cannot be written.
   */
  start<I>(def: SagaDefinition<I>, input: unknown, options: RunOptions = {}): StartedSaga {
    if (this.closedReason !== null) throw new SagaRefusedError('shutting_down', `saga '${def.name}' was not started: ${this.closedReason}`);
    if (!this.log.writable) throw new SagaRefusedError('read_only', `saga '${def.name}' was not started: ${this.log.readOnlyReason}`);
    const parsed = def.input.safeParse(input);
    if (!parsed.success) {
      throw new SagaInputError(`invalid input for saga '${def.name}': ${describeZodIssue(parsed.error)}`);
    }
    const sagaId = this.log.startSaga({
      name: def.name,
      inputJson: toLogJson(parsed.data, def.sensitive),
      plannedSteps: def.steps.length,
      bootId: this.bootId,
    });
    const run: Run = {
      def: def as SagaDefinition<unknown>,
      sagaId,
      input: parsed.data,
      signal: options.signal,
      state: 'running',
      outputs: [],
      succeeded: [],
      compensated: [],
    };
    this.emit(run, null);
    const done = this.execute(run).finally(() => this.inFlight.delete(sagaId));
    this.inFlight.set(sagaId, done);
    return { sagaId, done };
  }

  /** start() and wait for the outcome. */
  run<I>(def: SagaDefinition<I>, input: unknown, options: RunOptions = {}): Promise<SagaOutcome> {
    try {
      return this.start(def, input, options).done;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Orderly shutdown: refuses new sagas, waits up to `graceMs` for those in flight, then
   * detaches from the rest (they write and send nothing more) and leaves them for recovery.
   */
  async shutdown(graceMs: number): Promise<ShutdownResult> {
    this.closedReason ??= 'the app is shutting down';
    const pending = [...this.inFlight.values()];
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(pending),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    const leftRunning = [...this.inFlight.keys()];
    this.detached = true;
    return { finished: pending.length - leftRunning.length, leftRunning };
  }

  private emit(run: Run, stepIndex: number | null): void {
    this.events.emit({ sagaId: run.sagaId, name: run.def.name, state: run.state, stepIndex });
  }

  /** One log write; a failure stops the saga (nothing more is dispatched without its record). */
  private write<T>(what: string, fn: () => T): T {
    if (this.detached) throw new StopSaga('the coordinator shut down; left for launch-time recovery');
    try {
      return fn();
    } catch (err) {
      throw new StopSaga(`the log could not ${what}: ${errorMessage(err)}`);
    }
  }

  private outcome(run: Run, failureReason: string | null, failedStep: number | null, left: string | null): SagaOutcome {
    return {
      sagaId: run.sagaId,
      name: run.def.name,
      state: run.state,
      outputs: run.outputs,
      failureReason,
      failedStep,
      compensated: run.compensated,
      leftForRecovery: left,
    };
  }

  private crash(run: Run, stepIndex: number, point: CrashPointName): void {
    crashPoint(run.def.name, stepIndex, point);
  }

  private deadlineOf(step: StepDefinition<unknown>): number {
    return step.deadlineMs ?? this.defaultDeadlineMs;
  }

  private async execute(run: Run): Promise<SagaOutcome> {
    let failure: { reason: string; step: number } | null = null;
    try {
      for (let index = 0; index < run.def.steps.length && failure === null; index++) {
        failure = await this.forwardStep(run, index);
      }
      if (failure === null) {
        this.write('record the saga as completed', () => this.log.terminate(run.sagaId, 'completed'));
        run.state = 'completed';
        this.emit(run, null);
        return this.outcome(run, null, null, null);
      }
      return await this.compensate(run, failure.reason, failure.step);
    } catch (err) {
      if (!(err instanceof StopSaga)) throw err;
      return this.stopped(run, err.message, failure);
    }
  }

  /** Runs forward step `index`; returns null on success or why it failed. */
  private async forwardStep(run: Run, index: number): Promise<{ reason: string; step: number } | null> {
    const step = run.def.steps[index]!;
    const label = `step ${index} '${step.name}' (target ${step.target})`;
    const fail = (why: string) => ({ reason: `${label} ${why}`, step: index });
    if (run.signal?.aborted) return fail(`was not started: the saga was cancelled (${abortReason(run.signal)})`);
    let command: Command;
    try {
      command = buildCommand(step, step.command({ input: run.input, outputs: run.outputs }));
    } catch (err) {
      return fail(`was not sent: its command could not be built: ${errorMessage(err)}`);
    }
    let generation: number | null;
    try {
      generation = await this.router.prepare(step.target);
    } catch (err) {
      return fail(`was not sent: ${errorMessage(err)}`);
    }
    if (this.detached) throw new StopSaga('the coordinator shut down; left for launch-time recovery');
    this.crash(run, index, 'before_pending');
    const idempotencyKey = step.kind === 'final' ? crypto.randomUUID() : null;
    try {
      this.write(`record ${label} as pending`, () =>
        this.log.startStep({
          sagaId: run.sagaId,
          stepIndex: index,
          name: step.name,
          target: step.target,
          kind: step.kind,
          cmdJson: toLogJson(command, run.def.sensitive),
          idempotencyKey,
          peerGeneration: generation,
        }),
      );
    } catch (err) {
      // Write-ahead: no pending row, no dispatch. The saga fails like any failed step.
      if (this.detached) throw err;
      return fail(`was not sent: ${(err as Error).message}`);
    }
    this.emit(run, index);
    this.crash(run, index, 'after_pending');
    const result = await this.router.dispatch({
      target: step.target,
      generation,
      sagaId: run.sagaId,
      stepIndex: index,
      command,
      idempotencyKey,
      deadlineMs: this.deadlineOf(step),
      signal: run.signal,
    });
    this.crash(run, index, 'after_dispatch');
    this.recordOutcome(run, index, label, result, () => this.log.finishStep(run.sagaId, index, toLogJson(result.ok ? result.output : null, run.def.sensitive)));
    this.crash(run, index, 'after_outcome');
    if (!result.ok) return fail(`failed: ${result.error}`);
    run.outputs[index] = result.output;
    if (step.kind === 'compensatable') run.succeeded.push({ index, step, command, output: result.output });
    return null;
  }

  private recordOutcome(run: Run, index: number, label: string, result: DispatchResult, onSuccess: () => void): void {
    if (result.ok) this.write(`record ${label} as succeeded`, onSuccess);
    else this.write(`record ${label} as failed`, () => this.log.failStep(run.sagaId, index, result.error));
    this.emit(run, index);
  }

  private async compensate(run: Run, reason: string, failedStep: number): Promise<SagaOutcome> {
    this.write('mark the saga compensating', () => this.log.markCompensating(run.sagaId, reason));
    run.state = 'compensating';
    this.emit(run, null);
    const undoFailures: string[] = [];
    for (const done of [...run.succeeded].reverse()) {
      const failed = await this.undo(run, done);
      if (failed !== null) undoFailures.push(failed);
    }
    if (undoFailures.length === 0) {
      this.write('record the saga as failed', () => this.log.terminate(run.sagaId, 'failed', reason));
      run.state = 'failed';
      this.emit(run, null);
      return this.outcome(run, reason, failedStep, null);
    }
    const full = `${reason}; then ${undoFailures.join('; ')}`;
    this.write('record the saga as failed_compensation', () => this.log.markFailedCompensation(run.sagaId, full));
    run.state = 'failed_compensation';
    this.emit(run, null);
    return this.outcome(run, full, failedStep, null);
  }

  /** Undoes one succeeded step; returns null when undone, else why not. */
  private async undo(run: Run, done: SucceededStep): Promise<string | null> {
    const { step, index } = done;
    const label = `the undo of step ${index} '${step.name}' (target ${step.target})`;
    let command: Command;
    try {
      command = buildCommand(step, step.compensate!(done.command, done.output));
    } catch (err) {
      return `${label} could not be built: ${errorMessage(err)}`;
    }
    let generation: number | null;
    try {
      generation = await this.router.prepare(step.target);
    } catch (err) {
      return `${label} was not sent: ${errorMessage(err)}`;
    }
    if (this.detached) throw new StopSaga('the coordinator shut down; left for launch-time recovery');
    const compIndex = this.write(`record ${label} as pending`, () =>
      this.log.appendCompensation({
        sagaId: run.sagaId,
        compensatesIndex: index,
        name: `undo ${step.name}`,
        target: step.target,
        cmdJson: toLogJson(command, run.def.sensitive),
        peerGeneration: generation,
      }),
    );
    this.emit(run, compIndex);
    this.crash(run, index, 'during_compensation');
    const result = await this.router.dispatch({
      target: step.target,
      generation,
      sagaId: run.sagaId,
      stepIndex: compIndex,
      command,
      idempotencyKey: null,
      deadlineMs: this.deadlineOf(step),
    });
    this.recordOutcome(run, compIndex, label, result, () =>
      this.log.finishCompensation(run.sagaId, compIndex, toLogJson(result.ok ? result.output : null, run.def.sensitive)),
    );
    if (!result.ok) return `${label} failed: ${result.error}`;
    run.compensated.push(index);
    return null;
  }

  /**
   * A log write failed or shutdown detached us: nothing more is sent. After a write failure the
   * saga is marked failed_compensation if the log still takes that; otherwise recovery will.
   */
  private stopped(run: Run, why: string, failure: { reason: string; step: number } | null): SagaOutcome {
    if (this.detached) return this.outcome(run, failure?.reason ?? null, failure?.step ?? null, why);
    const reason = failure ? `${failure.reason}; then ${why}` : why;
    try {
      this.log.markFailedCompensation(run.sagaId, `${reason}; nothing more was sent`);
      run.state = 'failed_compensation';
      this.emit(run, null);
      return this.outcome(run, reason, failure?.step ?? null, null);
    } catch {
      return this.outcome(run, reason, failure?.step ?? null, why);
    }
  }
}

function buildCommand(step: StepDefinition<unknown>, built: unknown): Command {
  const value = step.commandSchema ? parseOrThrow(step.commandSchema, built) : built;
  // Every command, whatever its own schema, must still be a JSON object naming its op. The
  // plain check is the hot path of every step; zod only runs to word the refusal.
  if (isCommand(value)) return value;
  return parseOrThrow(Command, value);
}

function isCommand(value: unknown): value is Command {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { op?: unknown }).op === 'string' &&
    (value as { op: string }).op.length > 0
  );
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new Error(describeZodIssue(parsed.error));
  }
  return parsed.data;
}
