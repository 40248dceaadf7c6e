// The coordinator runs sagas write-ahead: a step's `pending` row is committed before it is
// sent. In the steady state that is one commit per step: the saga row with step 0's pending row,
// each step's outcome with the next step's pending row, the last outcome with `completed`. On
// failure it undoes the succeeded compensatable steps newest first, recording each undo before
// sending it. Many sagas run at once; they interleave only between commits.
import crypto from 'node:crypto';
import type { z } from 'zod';
import type { SagaState } from '../../src-shared/saga-model';
import type { FailureKind } from '../../src-shared/saga-model';
import { Command, errorMessage } from './command';
import { type CrashPointName, crashPoint, loadCrashPoint } from './crash-points';
import type { SagaDefinition, StepDefinition } from './define-saga';
import type { NextStepInput, SagaLog } from './log/saga-log';
import { FROM_RECONCILIATION, type InFlightOutcomes, planCompensation } from './compensate-plan';
import { OperatorActionError } from './operator-errors';
import { toLogJson } from './redaction';
import type { Router } from './router';
import { SagaEvents } from './saga-events';
import { abortReason } from './settle';
import type { StepResult } from './step-failure';
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
  /** The kind of the failure that started compensation (or stopped the saga), when one did. */
  failureKind: FailureKind | null;
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
    readonly reason: 'shutting_down' | 'read_only' | 'unroutable',
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
  /** Step 0 as start() left it: recorded pending with the saga row, or refused by the log; null when not readied yet. */
  first: Readied | null;
  /** An operator's "compensate now", not the engine's compensation after a failed step (their crash points differ). */
  operatorAction: boolean;
}

/** A forward step ready to send: its command built and its target's generation known. */
interface ReadyStep {
  index: number;
  step: StepDefinition<unknown>;
  label: string;
  command: Command;
  generation: number | null;
  idempotencyKey: string | null;
  cmdJson: string;
}

type Readied = { ok: true; ready: ReadyStep } | { ok: false; failure: Failure };

/** Why a saga stopped going forward: the step, the words for the reason, and the typed failure. */
interface Failure {
  step: number;
  reason: string;
  kind: FailureKind;
}

/** One undo to run: the forward step it undoes (by index) and the undo's command. */
interface UndoPlan {
  step: StepDefinition<unknown>;
  index: number;
  label: string;
  command: Command;
}

type StepRun = { ok: true } | { ok: false; why: string };

export interface CompensateNowOptions {
  /** Who does it (the OS user), recorded with the action. */
  operator: string;
  note: string;
  /** The operator checked every in-flight step whose outcome is unknown by hand. */
  confirmUnknown?: boolean;
  /** What is known of each step left in flight. Default: the answer reconciliation recorded on its row (`unknown` until it has). */
  inFlightOutcome?: InFlightOutcomes;
}

export interface CompensateNowOutcome {
  sagaId: number;
  name: string;
  /** `failed` when everything was undone; else `failed_compensation` (or `compensating` when left for recovery). */
  state: SagaState;
  /** Forward steps undone by this action, newest first. */
  compensated: number[];
  /** In-flight steps of unknown outcome the operator confirmed. */
  confirmedUnknown: number[];
  failureReason: string | null;
  /** Why it stopped and was left for launch-time recovery (shutdown, a refused write); else null. */
  leftForRecovery: string | null;
}

export const DEFAULT_STEP_DEADLINE_MS = 30_000;

export class Coordinator {
  readonly events: SagaEvents;
  private readonly bootId: string | null;
  private readonly defaultDeadlineMs: number;
  private readonly inFlight = new Map<number, Promise<unknown>>();
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
    const unroutable = this.unroutable(def as SagaDefinition<unknown>);
    if (unroutable !== null) throw new SagaRefusedError('unroutable', `saga '${def.name}' was not started: ${unroutable}; nothing was written`);
    const parsed = def.input.safeParse(input);
    if (!parsed.success) {
      throw new SagaInputError(`invalid input for saga '${def.name}': ${describeZodIssue(parsed.error)}`);
    }
    const run: Run = {
      def: def as SagaDefinition<unknown>,
      sagaId: 0,
      input: parsed.data,
      signal: options.signal,
      state: 'running',
      outputs: [],
      succeeded: [],
      compensated: [],
      first: null,
      operatorAction: false,
    };
    // Step 0 goes in the saga row's commit when it is ready now (built, its peer up); otherwise
    // the saga row commits alone and step 0 is readied and recorded as any other step.
    const sagaRow = { name: def.name, inputJson: toLogJson(parsed.data, def.sensitive), plannedSteps: def.steps.length, bootId: this.bootId };
    const first = this.readyNow(run, 0);
    if (first === null) {
      run.sagaId = this.log.startSaga(sagaRow);
      this.emit(run, null);
    } else {
      this.crash(run, 0, 'before_pending');
      try {
        run.sagaId = this.log.startSaga({ ...sagaRow, firstStep: pendingRow(first) });
        run.first = { ok: true, ready: first };
      } catch (err) {
        // Neither row was written. The saga row alone may still fit (a full disk refuses the
        // larger step row); then step 0 fails unsent, as any refused pending write.
        run.sagaId = this.log.startSaga(sagaRow);
        const why = `the log could not record ${first.label} as pending: ${errorMessage(err)}`;
        run.first = { ok: false, failure: { step: 0, reason: `${first.label} was not sent: ${why}`, kind: 'log_write_failed' } };
      }
      this.emit(run, null);
      if (run.first.ok) {
        this.emit(run, 0);
        this.crash(run, 0, 'after_pending');
      }
    }
    const sagaId = run.sagaId;
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
   * "Compensate now" for a failed_compensation saga: undoes its succeeded compensatable steps (and
   * an in-flight step its peer confirmed applied) newest first, through the same write-ahead
   * runUndo as any undo, as appended rows. The saga is `compensating` meanwhile, so a crash is
   * recovered like any compensation. Refusals are OperatorActionError, with nothing written.
   */
  compensateFromLog(def: SagaDefinition<unknown>, sagaId: number, options: CompensateNowOptions): Promise<CompensateNowOutcome> {
    if (this.closedReason !== null) throw new OperatorActionError('shutting_down', `saga ${sagaId} was not compensated: ${this.closedReason}`);
    if (!this.log.writable) throw new OperatorActionError('read_only', `saga ${sagaId} was not compensated: ${this.log.readOnlyReason}`);
    const saga = this.log.saga(sagaId);
    if (!saga) throw new OperatorActionError('not_found', `there is no saga ${sagaId} in the log`);
    if (saga.name !== def.name) throw new OperatorActionError('unknown_saga', `saga ${sagaId} is '${saga.name}', not '${def.name}'; nothing was written`);
    if (saga.state === 'compensating' || this.inFlight.has(sagaId)) {
      throw new OperatorActionError('being_compensated', `saga ${sagaId} is being compensated already; nothing was written`);
    }
    if (saga.state !== 'failed_compensation') {
      throw new OperatorActionError('wrong_state', `saga ${sagaId} is ${saga.state}; only a failed_compensation saga can be compensated, and nothing was written`);
    }
    const unroutable = this.unroutable(def);
    if (unroutable !== null) throw new OperatorActionError('unknown_saga', `saga ${sagaId} was not compensated: ${unroutable}; nothing was written`);
    const plan = planCompensation(def, saga, options.inFlightOutcome ?? FROM_RECONCILIATION, options.confirmUnknown === true, buildCommand);
    // From here on the action is recorded: the saga is compensating until it ends.
    const actionId = this.log.beginOperatorCompensation(sagaId, options.operator, options.note);
    const run: Run = { def, sagaId, input: null, signal: undefined, state: 'compensating', outputs: [], succeeded: [], compensated: [], first: null, operatorAction: true };
    this.emit(run, null);
    const before = saga.failureReason ?? 'reason not recorded';
    const done = (async (): Promise<CompensateNowOutcome> => {
      const outcome = (state: SagaState, reason: string | null, left: string | null): CompensateNowOutcome => ({
        sagaId,
        name: def.name,
        state,
        compensated: run.compensated,
        confirmedUnknown: plan.unknown.map((s) => s.stepIndex),
        failureReason: reason,
        leftForRecovery: left,
      });
      const failures: string[] = [];
      try {
        for (const row of plan.undoneAlready) this.write(`record compensation step ${row} as done`, () => this.log.finishCompensation(sagaId, row, null));
        for (const undo of plan.undos) {
          if (undo.confirmApplied) this.write(`record step ${undo.index} as applied`, () => this.log.finishStep(sagaId, undo.index, undo.outputJson));
          const label = `the undo of ${stepLabel(undo.index, undo.step)}`;
          const result = await this.runUndo(run, { step: undo.step, index: undo.index, label, command: undo.command });
          if (result.ok) run.compensated.push(undo.index);
          else failures.push(result.why);
        }
        const who = `compensate now by ${options.operator} (${options.note})`;
        const what = run.compensated.length === 0 ? 'nothing was left to undo' : `undid step${run.compensated.length === 1 ? '' : 's'} ${run.compensated.join(', ')}`;
        const confirmed = plan.unknown.length === 0 ? '' : `, the operator confirmed the outcome of step ${plan.unknown.map((s) => s.stepIndex).join(', ')} by hand`;
        const reason = `${before}; then: ${who}: ${what}${confirmed}${failures.length === 0 ? '' : `; ${failures.join('; ')}`}`;
        const end = failures.length === 0 ? 'failed' : 'failed_compensation';
        this.write(`record the end of compensating saga ${sagaId}`, () => this.log.finishOperatorCompensation(sagaId, actionId, end, reason));
        run.state = end;
        this.emit(run, null);
        return outcome(end, reason, null);
      } catch (err) {
        if (!(err instanceof StopSaga)) throw err;
        // Left compensating: the next launch's recovery names the undo that was in flight.
        return outcome('compensating', before, err.message);
      }
    })().finally(() => this.inFlight.delete(sagaId));
    this.inFlight.set(sagaId, done);
    return done;
  }

  /** The first step of `def` no handler could serve (its target not given, its declared op unknown), or null. */
  private unroutable(def: SagaDefinition<unknown>): string | null {
    for (const [index, step] of def.steps.entries()) {
      const label = stepLabel(index, step);
      if (!this.router.serves(step.target)) return `${label} targets ${step.target}, and no ${step.target} peer was given`;
      for (const op of [...(step.op === undefined ? [] : [step.op]), ...(step.undoOps ?? [])]) {
        const why = this.router.refusal(step.target, op);
        if (why !== null) return `${label}: ${why}`;
      }
    }
    return null;
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

  private outcome(run: Run, failure: Failure | null, left: string | null, reason: string | null = failure?.reason ?? null): SagaOutcome {
    return {
      sagaId: run.sagaId,
      name: run.def.name,
      state: run.state,
      outputs: run.outputs,
      failureReason: reason,
      failureKind: failure?.kind ?? null,
      failedStep: failure?.step ?? null,
      compensated: run.compensated,
      leftForRecovery: left,
    };
  }

  private crash(run: Run, stepIndex: number, point: CrashPointName): void {
    crashPoint(run.def.name, stepIndex, point);
  }

  private async execute(run: Run): Promise<SagaOutcome> {
    let failure: Failure | null = null;
    // start() returns before anything is sent, so its caller can act on the id first (a fault
    // plan, a subscription): step 0 may already be recorded, and is dispatched only after a turn.
    await Promise.resolve();
    try {
      failure = await this.forward(run);
      if (failure === null) return this.outcome(run, null, null);
      return await this.compensate(run, failure);
    } catch (err) {
      if (!(err instanceof StopSaga)) throw err;
      return this.stopped(run, err.message, failure);
    }
  }

  /**
   * Runs the forward steps; returns null when the saga completed, or why it stopped. Step i+1 is
   * readied (command built from step i's output, peer made ready) before step i's outcome is
   * written, so that outcome and step i+1's pending row are one commit; when step i+1 cannot be
   * readied, step i's outcome commits alone and step i+1 fails as not sent.
   */
  private async forward(run: Run): Promise<Failure | null> {
    let readied: Readied = run.first ?? (await this.readyForward(run, 0));
    let recorded = run.first?.ok === true;
    for (;;) {
      if (!readied.ok) return readied.failure;
      const ready = readied.ready;
      const { index, label } = ready;
      if (!recorded) {
        const refused = this.recordPending(run, ready);
        if (refused !== null) return refused;
      }
      const result = await this.dispatchForward(run, ready);
      this.crash(run, index, 'after_dispatch');
      if (!result.ok) {
        this.write(`record ${label} as failed`, () => this.log.failStep(run.sagaId, index, result.failure.message, result.failure.kind));
        this.emit(run, index);
        this.crash(run, index, 'after_outcome');
        return { step: index, reason: `${label} failed: ${result.failure.message}`, kind: result.failure.kind };
      }
      run.outputs[index] = result.output;
      if (ready.step.kind === 'compensatable') run.succeeded.push({ index, step: ready.step, command: ready.command, output: result.output });
      const outputJson = toLogJson(result.output, run.def.sensitive);
      if (index === run.def.steps.length - 1) {
        this.write(`record ${label} as succeeded and the saga as completed`, () => this.log.finishLastStep(run.sagaId, index, outputJson));
        this.emit(run, index);
        run.state = 'completed';
        this.emit(run, null);
        this.crash(run, index, 'after_outcome');
        return null;
      }
      const readying = this.readyForward(run, index + 1);
      readied = readying instanceof Promise ? await readying : readying;
      if (!readied.ok) {
        this.write(`record ${label} as succeeded`, () => this.log.finishStep(run.sagaId, index, outputJson));
        this.emit(run, index);
        this.crash(run, index, 'after_outcome');
        return readied.failure;
      }
      const next = readied.ready;
      this.crash(run, next.index, 'before_pending');
      try {
        this.write(`record ${label} as succeeded and ${next.label} as pending`, () =>
          this.log.finishStepAndStartNext(run.sagaId, index, outputJson, pendingRow(next)),
        );
      } catch (err) {
        // Nothing of the pair was written. Step i's outcome alone may still fit (a full disk
        // refuses the larger row); then step i+1 fails unsent, as any refused pending write.
        if (this.detached) throw err;
        this.write(`record ${label} as succeeded`, () => this.log.finishStep(run.sagaId, index, outputJson));
        this.emit(run, index);
        this.crash(run, index, 'after_outcome');
        return { step: next.index, reason: `${next.label} was not sent: ${(err as Error).message}`, kind: 'log_write_failed' };
      }
      this.emit(run, index);
      this.emit(run, next.index);
      // One commit, two points: step i's outcome and step i+1's pending row became durable together.
      this.crash(run, index, 'after_outcome');
      this.crash(run, next.index, 'after_pending');
      recorded = true;
    }
  }

  /**
   * Builds forward step `index`'s command and makes its target ready; nothing is written. Waits
   * only when the target is not ready now (a self step or a peer that is up costs no turn).
   */
  private readyForward(run: Run, index: number): Readied | Promise<Readied> {
    const made = this.makeReady(run, index);
    if ('failure' in made) return { ok: false, failure: made.failure };
    const { step, label, command } = made;
    const now = this.router.preparedNow(step.target);
    if (now !== undefined) return { ok: true, ready: this.readyStep(run, index, command, now.generation) };
    return this.router.prepare(step.target).then(
      (generation): Readied => ({ ok: true, ready: this.readyStep(run, index, command, generation) }),
      (err: unknown): Readied => ({ ok: false, failure: { step: index, reason: `${label} was not sent: ${errorMessage(err)}`, kind: 'not_sent' } }),
    );
  }

  /** readyForward() without waiting: the step when it is ready now, else null (the caller waits instead). */
  private readyNow(run: Run, index: number): ReadyStep | null {
    const made = this.makeReady(run, index);
    if ('failure' in made) return null;
    const prepared = this.router.preparedNow(made.step.target);
    return prepared === undefined ? null : this.readyStep(run, index, made.command, prepared.generation);
  }

  private makeReady(run: Run, index: number): { step: StepDefinition<unknown>; label: string; command: Command } | { failure: Failure } {
    const step = run.def.steps[index]!;
    const label = stepLabel(index, step);
    const fail = (kind: FailureKind, why: string) => ({ failure: { reason: `${label} ${why}`, step: index, kind } });
    if (run.signal?.aborted) return fail('cancelled', `was not started: the saga was cancelled (${abortReason(run.signal)})`);
    try {
      return { step, label, command: buildCommand(step, step.command({ input: run.input, outputs: run.outputs })) };
    } catch (err) {
      return fail('not_sent', `was not sent: its command could not be built: ${errorMessage(err)}`);
    }
  }

  private readyStep(run: Run, index: number, command: Command, generation: number | null): ReadyStep {
    const step = run.def.steps[index]!;
    return {
      index,
      step,
      label: stepLabel(index, step),
      command,
      generation,
      idempotencyKey: step.kind === 'final' ? newIdempotencyKey() : null,
      cmdJson: toLogJson(command, run.def.sensitive),
    };
  }

  /** The pending row alone (step 0 not ready at start, or the step after one that could not be readied at once). */
  private recordPending(run: Run, ready: ReadyStep): Failure | null {
    if (this.detached) throw new StopSaga('the coordinator shut down; left for launch-time recovery');
    this.crash(run, ready.index, 'before_pending');
    try {
      this.write(`record ${ready.label} as pending`, () => this.log.startStep({ sagaId: run.sagaId, stepIndex: ready.index, ...pendingRow(ready) }));
    } catch (err) {
      // Write-ahead: no pending row, no dispatch. The saga fails like any failed step.
      if (this.detached) throw err;
      return { step: ready.index, reason: `${ready.label} was not sent: ${(err as Error).message}`, kind: 'log_write_failed' };
    }
    this.emit(run, ready.index);
    this.crash(run, ready.index, 'after_pending');
    return null;
  }

  private dispatchForward(run: Run, ready: ReadyStep): Promise<StepResult> {
    if (this.detached) throw new StopSaga('the coordinator shut down; left for launch-time recovery');
    return this.router.dispatch({
      target: ready.step.target,
      generation: ready.generation,
      sagaId: run.sagaId,
      stepIndex: ready.index,
      command: ready.command,
      idempotencyKey: ready.idempotencyKey,
      deadlineMs: ready.step.deadlineMs ?? this.defaultDeadlineMs,
      signal: run.signal,
    });
  }

  private async compensate(run: Run, failure: Failure): Promise<SagaOutcome> {
    this.write('mark the saga compensating', () => this.log.markCompensating(run.sagaId, failure.reason, failure.kind));
    run.state = 'compensating';
    this.emit(run, null);
    const undoFailures: string[] = [];
    for (const done of [...run.succeeded].reverse()) {
      const failed = await this.undo(run, done);
      if (failed !== null) undoFailures.push(failed);
    }
    if (undoFailures.length === 0) {
      this.write('record the saga as failed', () => this.log.terminate(run.sagaId, 'failed', failure.reason, failure.kind));
      run.state = 'failed';
      this.emit(run, null);
      return this.outcome(run, failure, null);
    }
    const full = `${failure.reason}; then ${undoFailures.join('; ')}`;
    this.write('record the saga as failed_compensation', () => this.log.markFailedCompensation(run.sagaId, full, failure.kind));
    run.state = 'failed_compensation';
    this.emit(run, null);
    return this.outcome(run, failure, null, full);
  }

  /** Undoes one succeeded step; returns null when undone, else why not. */
  private async undo(run: Run, done: SucceededStep): Promise<string | null> {
    const { step, index } = done;
    const label = `the undo of ${stepLabel(index, step)}`;
    let command: Command;
    try {
      command = buildCommand(step, step.compensate!(done.command, done.output));
    } catch (err) {
      return `${label} could not be built: ${errorMessage(err)}`;
    }
    const result = await this.runUndo(run, { step, index, label, command });
    if (!result.ok) return result.why;
    run.compensated.push(index);
    return null;
  }

  /**
   * The write-ahead sequence of one undo: make the target ready, commit its pending row, dispatch,
   * commit the outcome. Undos keep a commit each: they run only after a failure.
   */
  private async runUndo(run: Run, plan: UndoPlan): Promise<StepRun> {
    const { step, index, label, command } = plan;
    const notSent = (why: string): StepRun => ({ ok: false, why: `${label} was not sent: ${why}` });
    let generation: number | null;
    try {
      generation = await this.router.prepare(step.target);
    } catch (err) {
      return notSent(errorMessage(err));
    }
    if (this.detached) throw new StopSaga('the coordinator shut down; left for launch-time recovery');
    const cmdJson = toLogJson(command, run.def.sensitive);
    const rowIndex = this.write(`record ${label} as pending`, () =>
      this.log.appendCompensation({ sagaId: run.sagaId, compensatesIndex: index, name: `undo ${step.name}`, target: step.target, cmdJson, peerGeneration: generation }),
    );
    this.emit(run, rowIndex);
    this.crash(run, index, run.operatorAction ? 'compensate_now_undo_pending' : 'during_compensation');
    const result = await this.router.dispatch({
      target: step.target,
      generation,
      sagaId: run.sagaId,
      stepIndex: rowIndex,
      command,
      idempotencyKey: null,
      deadlineMs: step.deadlineMs ?? this.defaultDeadlineMs,
      // Undos are not cancellable: a cancelled saga must still be put back.
      signal: undefined,
    });
    if (result.ok) {
      const outputJson = toLogJson(result.output, run.def.sensitive);
      this.write(`record ${label} as succeeded`, () => this.log.finishCompensation(run.sagaId, rowIndex, outputJson));
    } else {
      this.write(`record ${label} as failed`, () => this.log.failStep(run.sagaId, rowIndex, result.failure.message, result.failure.kind));
    }
    this.emit(run, rowIndex);
    if (run.operatorAction) this.crash(run, index, 'compensate_now_undo_outcome');
    if (result.ok) return { ok: true };
    return { ok: false, why: `${label} failed: ${result.failure.message}` };
  }

  /**
   * A log write failed or shutdown detached us: nothing more is sent. After a write failure the
   * saga is marked failed_compensation if the log still takes that; otherwise recovery will.
   */
  private stopped(run: Run, why: string, failure: Failure | null): SagaOutcome {
    if (this.detached) return this.outcome(run, failure, why);
    const reason = failure ? `${failure.reason}; then ${why}` : why;
    const kind: FailureKind = failure?.kind ?? 'log_write_failed';
    try {
      this.log.markFailedCompensation(run.sagaId, `${reason}; nothing more was sent`, kind);
      run.state = 'failed_compensation';
      this.emit(run, null);
      return { ...this.outcome(run, failure, null, reason), failureKind: kind };
    } catch {
      return this.outcome(run, failure, why, reason);
    }
  }
}

/** How messages and the log name a step: `step 2 'start_session' (target host)`. */
function stepLabel(index: number, step: Pick<StepDefinition<unknown>, 'name' | 'target'>): string {
  return `step ${index} '${step.name}' (target ${step.target})`;
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

/**
 * 128 random bits in 22 characters: as unique as a UUID (122 bits) in 14 fewer bytes of every
 * saga's final step row, and in every peer receipt that keeps it.
 */
function newIdempotencyKey(): string {
  return crypto.randomBytes(16).toString('base64url');
}

/** The pending row of a readied forward step. */
function pendingRow(ready: ReadyStep): NextStepInput {
  const { step } = ready;
  return { name: step.name, target: step.target, kind: step.kind, cmdJson: ready.cmdJson, idempotencyKey: ready.idempotencyKey, peerGeneration: ready.generation };
}
