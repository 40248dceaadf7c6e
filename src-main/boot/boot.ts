// The one boot sequence every host runs (Electron, headless, the CLI's demo):
//   profile lock -> open the log (bad files moved aside) -> launch-time recovery
//   -> start peers -> the coordinator exists -> retention scheduled.
// The coordinator is created last on purpose: until recovery has marked what the previous
// run left, no object exists through which a saga could be started.
import crypto from 'node:crypto';
import type { RecoveryReport } from '../../src-shared/saga-model';
import { startEngine } from '../domain/engine';
import type { PanelViews } from '../domain/panel-views';
import { spawnForkPeer } from '../peers/fork-peer';
import type { Peers } from '../peers/peers';
import type { SpawnPeer } from '../peers/peer-transport';
import type { Coordinator } from '../saga/coordinator';
import { SagaLogError } from '../saga/log/errors';
import type { SagaLog } from '../saga/log/saga-log';
import { runRecovery } from '../saga/recovery';
import { SagaEvents } from '../saga/saga-events';
import { continueIds, openLog, setAsideOpenLog } from './open-log';
import { type ProfileLock, acquireProfileLock } from './profile-lock';
import { type Retention, type RetentionOptions, scheduleRetention } from './retention';

export type BootPhase = 'lock' | 'open' | 'recover' | 'peers' | 'ready';

export interface BootOptions {
  userDataDir: string;
  /** Absolute path of the build output root (holds peers/host.js, peers/srv.js). */
  distDir: string;
  /** How peers are started: child_process.fork by default, utilityProcess in Electron. */
  spawnPeer?: SpawnPeer;
  /** Retention of finished sagas; `false` turns it off (tests that count sagas). */
  retention?: RetentionOptions | false;
  busyTimeoutMs?: number;
  /** Caps the log's size in pages (tests simulate a full disk with it). */
  maxPageCount?: number;
  /** Logs larger than this get only the pages recovery reads checked, not a full quick_check. */
  quickCheckMaxBytes?: number;
  clock?: () => Date;
  /** Extra environment for the peers. */
  peerEnv?: Record<string, string>;
  peerStartupTimeoutMs?: number;
  defaultStepDeadlineMs?: number;
  /** Called as each phase begins. */
  onPhase?: (phase: BootPhase) => void;
  /** Where background retention failures go; they never stop the app. */
  onRetentionError?: (err: unknown) => void;
}

export interface BootedApp {
  log: SagaLog;
  coordinator: Coordinator;
  events: SagaEvents;
  recovery: RecoveryReport;
  bootId: string;
  peers: Peers;
  /** main's own domain state (the views a host opens windows for). */
  panelViews: PanelViews;
  /** Why the log takes no writes (a newer schema), or null. */
  readOnlyReason: string | null;
  /** Why launch-time recovery did not run, or null when it ran. */
  recoverySkipped: string | null;
  retention: Retention | null;
  /** Refuses new sagas, gives running ones `graceMs`, stops peers, closes the log, frees the profile. */
  shutdown(graceMs?: number): Promise<void>;
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

export async function boot(options: BootOptions): Promise<BootedApp> {
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
        const moved = setAsideOpenLog(opened, `corrupt pages found by launch recovery (${err.message})`, clock());
        opened = openLog(options.userDataDir, openOptions);
        log = opened.log;
        continueIds(log, [moved]);
        try {
          recovery = runRecovery(log, { bootId, movedAside: [moved, ...opened.movedAside] });
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
    const engine = await startEngine({
      log,
      userDataDir: options.userDataDir,
      distDir: options.distDir,
      spawnPeer: options.spawnPeer ?? spawnForkPeer,
      bootId,
      events,
      ...(options.defaultStepDeadlineMs !== undefined && { defaultDeadlineMs: options.defaultStepDeadlineMs }),
      ...(options.peerEnv && { peerEnv: options.peerEnv }),
      ...(options.peerStartupTimeoutMs !== undefined && { peerStartupTimeoutMs: options.peerStartupTimeoutMs }),
    });
    cleanups.push(() => engine.stop(0));
    const { coordinator, peers, panelViews } = engine;

    let retention: Retention | null = null;
    if (options.retention !== false && log.writable) {
      const r = scheduleRetention(log, options.retention ?? {}, clock, options.onRetentionError);
      retention = r;
      cleanups.push(() => r.stop());
      // The first pass runs in the background: boot must not wait on deleting old history.
      setImmediate(() => {
        r.runNow().catch(options.onRetentionError ?? (() => {}));
      });
    }

    phase('ready');
    let closing: Promise<void> | null = null;
    return {
      log,
      coordinator,
      events,
      recovery,
      bootId,
      peers,
      panelViews,
      readOnlyReason: log.readOnlyReason,
      recoverySkipped,
      retention,
      shutdown(graceMs = DEFAULT_SHUTDOWN_GRACE_MS): Promise<void> {
        closing ??= (async () => {
          try {
            await engine.stop(graceMs);
          } finally {
            await retention?.stop();
            // Folding the WAL back makes the next open (and a copy of the file) self-contained.
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
