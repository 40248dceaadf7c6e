// The one composition root: every host (Electron, headless, the CLI, an embedding app) builds
// the subsystem here, in one boot sequence:
//   profile lock -> open the log (bad files moved aside) -> launch-time recovery
//   -> start the app's peers -> the coordinator exists -> checkpoint worker and retention,
// and, in the background once the peers are up, reconciliation (the launch does not wait for it).
// The coordinator is created last on purpose: until recovery has marked what the previous
// run left, no object exists through which a saga could be started.
import crypto from 'node:crypto';
import type { RecoveryReport } from '../../src-shared/saga-model';
import { spawnForkPeer } from '../peers/fork-peer';
import { Peers, type PeerStatus } from '../peers/peers';
import { type CompensateNowOutcome, Coordinator, type RunOptions, type SagaOutcome, type StartedSaga } from '../saga/coordinator';
import type { InFlightOutcomes } from '../saga/compensate-plan';
import { OperatorActionError } from '../saga/operator-errors';
import { type ResolveOutcome, type ReviewRecoveryOutcome, parseNote, resolveFromLog, reviewRecovery } from '../saga/operator-actions';
import { operatorName } from './operator-name';
import { loadCrashPoint } from '../saga/crash-points';
import type { SagaDefinition } from '../saga/define-saga';
import { yieldToEventLoop } from '../saga/log/budgeted-batch';
import { LogCheckpointer } from '../saga/log/checkpointer';
import { SagaLogError } from '../saga/log/errors';
import type { SagaLog } from '../saga/log/saga-log';
import { type ReconciliationReport, reconcile } from '../saga/reconciliation';
import { runRecovery } from '../saga/recovery';
import { Router } from '../saga/router';
import { SagaEvents } from '../saga/saga-events';
import { SelfHandlers } from '../saga/self-handlers';
import { openLog, replaceDamagedLog } from './open-log';
import { type SubsystemOptions, SubsystemOptionsError, parseSubsystemOptions } from './options';
import { type ProfileLock, acquireProfileLock } from './profile-lock';
import { type Retention, scheduleRetention } from './retention';

export type { BootPhase, SubsystemOptions } from './options';

export interface SagaSubsystem {
  /** This launch's id, stamped on every saga it starts. */
  bootId: string;
  /** What launch-time recovery found and marked (and any file it moved aside). */
  recovery: RecoveryReport;
  /**
   * Reconciliation of the steps recovery left in flight with the peers' receipts, started once the
   * peers are up and not awaited by the launch; settles when its answers are recorded (never rejects).
   */
  reconciliation: Promise<ReconciliationReport>;
  /** Why launch-time recovery did not run (a read-only log), or null when it ran. */
  recoverySkipped: string | null;
  /** Why the log takes no writes (a newer schema), or null. */
  readOnlyReason: string | null;
  /** The app's sagas, by name, as given in the options. */
  sagas: ReadonlyMap<string, SagaDefinition<unknown>>;
  /** Each listed saga's key input field (the one a list shows to tell runs apart). */
  keyInputFields(): Record<string, string>;
  /** Validates the input, writes the saga row and starts running it (a definition, or a listed saga's name). */
  start(saga: SagaDefinition<unknown> | string, input: unknown, options?: RunOptions): StartedSaga;
  /** start() and wait for the outcome. */
  run(saga: SagaDefinition<unknown> | string, input: unknown, options?: RunOptions): Promise<SagaOutcome>;
  /** Change notifications (saga and step transitions), for live views. */
  events: SagaEvents;
  /** The log: its read API is what the panel and diag use. */
  log: SagaLog;
  coordinator: Coordinator;
  /** The app's peers as they run now (name, generation, pid). */
  peerStatus(): PeerStatus[];
  peers: Peers;
  retention: Retention | null;
  /** The worker that checkpoints and vacuums the log off the main thread (null when turned off or read-only). */
  checkpointer: LogCheckpointer | null;
  /**
   * "Compensate now" on a failed_compensation saga: its succeeded compensatable steps are undone
   * newest first through the engine, recorded with who (the OS user unless `operator` is given)
   * and the note. Ends `failed` when everything was undone, else stays failed_compensation.
   * Refusals reject with OperatorActionError (or SagaInputError for a bad note), nothing written.
   */
  compensate(sagaId: number, options: CompensateNowRequest): Promise<CompensateNowOutcome>;
  /** Ends a failed_compensation saga `completed` or `failed` where its log proves no undo is needed. */
  resolve(sagaId: number, options: OperatorNoteRequest): ResolveOutcome;
  /** Reviews every saga one launch's recovery marked (and nobody reviewed yet) with one note. */
  reviewRecovery(bootId: string, options: OperatorNoteRequest): ReviewRecoveryOutcome;
  /** Refuses new sagas, gives running ones `graceMs`, stops peers, closes the log, frees the profile. */
  shutdown(graceMs?: number): Promise<void>;
}

export interface OperatorNoteRequest {
  note: string;
  /** Recorded as who did it; the OS user running this process by default. */
  operator?: string;
}

export interface CompensateNowRequest extends OperatorNoteRequest {
  /** The operator checked every in-flight step of unknown outcome by hand. */
  confirmUnknown?: boolean;
  /** What is known of each in-flight step; by default the answer reconciliation recorded on its row. */
  inFlightOutcome?: InFlightOutcomes;
}

export const DEFAULT_SHUTDOWN_GRACE_MS = 2000;

function recoveryFailed(err: unknown, file: string): Error {
  const detail = err instanceof Error ? err.message : String(err);
  const code = err instanceof SagaLogError ? err.code : 'io';
  // Never carry on as if the log were empty: that would hide every interrupted saga.
  return new SagaLogError(code, `launch stopped: recovery could not read or mark the saga log ${file}, so nothing was marked (${detail})`, {
    cause: err,
  });
}

/**
 * Boots the subsystem for an app. Options are checked first (SubsystemOptionsError, nothing
 * locked or written); then the profile is locked, the log opened and recovered, the app's peers
 * started; only then can a saga start.
 */
export async function startSagaSubsystem(rawOptions: SubsystemOptions): Promise<SagaSubsystem> {
  const options = parseSubsystemOptions(rawOptions);
  // Everything the app gave is checked before the profile is touched: a typo fails here, not mid-boot.
  let self: SelfHandlers;
  try {
    self = SelfHandlers.from(options.self);
    // A malformed LAUNCHER_CRASH_AT is a launch error before anything starts, not after the peers run.
    loadCrashPoint();
  } catch (err) {
    throw new SubsystemOptionsError(`startSagaSubsystem: ${err instanceof Error ? err.message : String(err)}`);
  }
  const sagas = new Map<string, SagaDefinition<unknown>>();
  for (const def of options.sagas ?? []) {
    if (sagas.has(def.name)) throw new SubsystemOptionsError(`startSagaSubsystem: two sagas are named '${def.name}'`);
    sagas.set(def.name, def);
  }
  const phase = options.onPhase ?? (() => {});
  const clock = options.clock ?? (() => new Date());
  const bootId = crypto.randomUUID();
  // Undo what was acquired if a later phase fails, newest first, so a failed launch leaves
  // no peer running, no connection open and the profile free for the next attempt.
  const cleanups: (() => Promise<void> | void)[] = [];
  const unwind = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch {
        // The original failure is what the caller needs to see.
      }
    }
  };
  try {
    phase('lock');
    const lock: ProfileLock = acquireProfileLock(options.userDataDir);
    cleanups.push(() => lock.release());

    phase('open');
    const openOptions = {
      busyTimeoutMs: options.busyTimeoutMs,
      maxPageCount: options.maxPageCount,
      quickCheckMaxBytes: options.quickCheckMaxBytes,
      clock,
      owner: { bootId, lock },
    };
    let opened = openLog(options.userDataDir, openOptions);
    let { log } = opened;
    cleanups.push(() => log.close());

    phase('recover');
    // Recovery stays one synchronous transaction, not slices: it runs before the coordinator, the
    // IPC handlers or a window exist, so no request or saga can wait behind it, and one commit keeps
    // "all interrupted sagas marked, with this launch's owner record, or none". Its cost is part of
    // the launch's time to ready (bench: boot.time_to_ready_1000_interrupted_ms).
    const events = new SagaEvents();
    let recovery: RecoveryReport;
    let recoverySkipped: string | null = null;
    if (log.writable) {
      try {
        recovery = runRecovery(log, { bootId, movedAside: opened.movedAside });
      } catch (err) {
        // Damage the pre-open check did not reach (it reads only what recovery reads on a large
        // log) surfaced while recovery wrote: that file is set aside like any other damaged one,
        // renamed before its writable connection closes so no checkpoint rewrites it.
        if (!(err instanceof SagaLogError) || err.code !== 'corrupt' || opened.movedAside.length > 0) throw recoveryFailed(err, log.file);
        opened = replaceDamagedLog(opened, { kind: 'corrupt_pages', reason: `corrupt pages found by launch recovery (${err.message})` }, options.userDataDir, openOptions);
        log = opened.log;
        try {
          recovery = runRecovery(log, { bootId, movedAside: opened.movedAside });
        } catch (again) {
          throw recoveryFailed(again, log.file);
        }
      }
      for (const m of recovery.marked) events.emit({ sagaId: m.sagaId, name: m.name, state: 'failed_compensation', stepIndex: null });
    } else {
      recoverySkipped = `launch recovery was skipped because the log takes no writes: ${log.readOnlyReason}`;
      recovery = { bootId, startedAt: clock().toISOString(), durationMs: 0, marked: [], movedAside: opened.movedAside };
    }

    phase('peers');
    const peers = await Peers.start({
      peers: options.peers ?? {},
      userDataDir: options.userDataDir,
      spawnPeer: options.spawnPeer ?? spawnForkPeer,
      ...(options.peerEnv && { env: options.peerEnv }),
      ...(options.peerStartupTimeoutMs !== undefined && { startupTimeoutMs: options.peerStartupTimeoutMs }),
      ...(options.peerProbeTimeoutMs !== undefined && { probeTimeoutMs: options.peerProbeTimeoutMs }),
      ...(options.onPeerGeneration && { onGeneration: options.onPeerGeneration }),
    });
    const coordinator = new Coordinator(log, new Router(self, peers), {
      events,
      bootId,
      ...(options.defaultStepDeadlineMs !== undefined && { defaultDeadlineMs: options.defaultStepDeadlineMs }),
    });
    let stopped: Promise<void> | null = null;
    const stopEngine = (graceMs: number) => {
      stopped ??= (async () => {
        await coordinator.shutdown(graceMs);
        await peers.stop();
      })();
      return stopped;
    };
    cleanups.push(() => stopEngine(0));
    const definition = (saga: SagaDefinition<unknown> | string): SagaDefinition<unknown> => {
      if (typeof saga !== 'string') return saga;
      const def = sagas.get(saga);
      if (!def) throw new SubsystemOptionsError(`no saga named '${saga.slice(0, 64)}' was given to this subsystem`);
      return def;
    };

    // Not awaited: main keeps its own auto-checkpoint until the worker's connection is open, so
    // boot does not wait on a thread starting; a worker that cannot start is reported and main carries on.
    let checkpointer: LogCheckpointer | null = null;
    if (options.checkpointWorker !== false && log.writable) {
      const c = new LogCheckpointer(log, {
        ...(options.checkpointWorker ?? {}),
        ...(options.busyTimeoutMs !== undefined && { busyTimeoutMs: options.busyTimeoutMs }),
        // Said somewhere even when the app gave no handler: main still works, only slower to commit.
        onFailure: options.onRetentionError ?? ((err) => process.stderr.write(`launcher-saga: ${err.message}\n`)),
      });
      checkpointer = c;
      cleanups.push(() => c.stop());
    }

    let retention: Retention | null = null;
    if (options.retention !== false && log.writable) {
      const r = scheduleRetention(log, options.retention ?? {}, clock, options.onRetentionError, checkpointer);
      retention = r;
      cleanups.push(() => r.stop());
      // The first pass runs in the background once the worker has started (or could not): boot
      // must not wait on deleting old history, and the pass must know who checkpoints.
      const workerSettled = checkpointer?.ready ?? new Promise<boolean>((resolve) => setImmediate(() => resolve(false)));
      void workerSettled.then(() => r.runNow()).catch(options.onRetentionError ?? (() => {}));
    }

    // After the peers phase and not awaited: the panel and diag are ready before it finishes, and
    // a change event tells them when it has. A failure is reported as a skipped run, never thrown.
    const reconciliation: Promise<ReconciliationReport> = yieldToEventLoop()
      .then(() =>
        reconcile(log, peers, {
          events,
          sensitiveFields: (name) => sagas.get(name)?.sensitive ?? null,
          ...(options.reconcileDeadlineMs !== undefined && { deadlineMs: options.reconcileDeadlineMs }),
        }),
      )
      .catch((err: unknown) => ({
        asked: 0,
        recorded: 0,
        answers: { applied: 0, not_applied: 0, unknown: 0 },
        durationMs: 0,
        skipped: `reconciliation failed: ${err instanceof Error ? err.message : String(err)}`,
      }));

    phase('ready');
    let closing: Promise<void> | null = null;
    return {
      log,
      coordinator,
      events,
      recovery,
      reconciliation,
      bootId,
      peers,
      sagas,
      keyInputFields: () => Object.fromEntries([...sagas.values()].flatMap((d) => (d.keyInput === undefined ? [] : [[d.name, d.keyInput]]))),
      start: (saga, input, runOptions) => coordinator.start(definition(saga), input, runOptions),
      run: (saga, input, runOptions) => {
        try {
          return coordinator.run(definition(saga), input, runOptions);
        } catch (err) {
          return Promise.reject(err);
        }
      },
      compensate: async (sagaId, request) => {
        const note = parseNote(request.note);
        const saga = log.saga(sagaId);
        if (!saga) throw new OperatorActionError('not_found', `there is no saga ${sagaId} in the log`);
        const def = sagas.get(saga.name);
        if (!def) throw new OperatorActionError('unknown_saga', `saga ${sagaId} is '${saga.name.slice(0, 64)}', which this app does not define; nothing was written`);
        // The plan follows reconciliation's answers, so an action taken right after launch (the CLI's)
        // waits for them; reconciliation is bounded by its deadline and never rejects.
        if (request.inFlightOutcome === undefined) await reconciliation;
        return coordinator.compensateFromLog(def, sagaId, {
          operator: request.operator ?? operatorName(),
          note,
          confirmUnknown: request.confirmUnknown === true,
          ...(request.inFlightOutcome && { inFlightOutcome: request.inFlightOutcome }),
        });
      },
      resolve: (sagaId, request) => resolveFromLog(log, events, sagaId, request.operator ?? operatorName(), request.note),
      reviewRecovery: (reportBootId, request) => reviewRecovery(log, events, reportBootId, request.operator ?? operatorName(), request.note),
      peerStatus: () => peers.status(),
      readOnlyReason: log.readOnlyReason,
      recoverySkipped,
      retention,
      checkpointer,
      shutdown(graceMs = DEFAULT_SHUTDOWN_GRACE_MS): Promise<void> {
        closing ??= (async () => {
          try {
            // Its questions are bounded by their deadline; the log must stay open until it has recorded.
            await reconciliation;
            await stopEngine(graceMs);
          } finally {
            await retention?.stop();
            // The worker folds the WAL back with a last TRUNCATE before it closes its connection.
            await checkpointer?.stop();
            // A block of ids written ahead lands (or is dropped) before another launch may take the profile.
            await log.idsSettled();
            // Folding the WAL back makes the next open (and a copy of the file) self-contained;
            // after the worker's own, this one finds next to nothing left to copy.
            try {
              log.checkpoint();
            } finally {
              log.close();
              lock.release();
            }
          }
        })();
        return closing;
      },
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}
