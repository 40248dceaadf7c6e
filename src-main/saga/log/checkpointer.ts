// Main's side of the checkpoint worker (checkpoint-worker.ts): starts it, turns the main
// connection's auto-checkpoint off once the worker's own connection is open, and asks it for
// checkpoints and vacuum. A worker that cannot open, fails or dies is reported once, and the main
// connection's auto-checkpoint is put back: the WAL stays bounded and nothing committed is lost.
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type CheckpointResult, type CheckpointWorkerData, FromWorker, type ToWorker } from './checkpoint-protocol';
import type { SagaLog } from './saga-log';

export interface CheckpointerOptions {
  /** A passive checkpoint every this many ms (100 by default). */
  intervalMs?: number;
  /** How long one vacuum step may hold the write lock (1 ms by default). */
  vacuumStepBudgetMs?: number;
  busyTimeoutMs?: number;
  /** Where the worker's script is; found beside this module or its bundle by default. */
  workerFile?: string;
  /** Called once when the worker cannot open, fails or dies; main checkpoints by itself from then on. */
  onFailure?: (err: Error) => void;
}

export const CHECKPOINTER_DEFAULTS = { intervalMs: 100, vacuumStepBudgetMs: 1, busyTimeoutMs: 5000 } as const;

/**
 * The worker's script: the .ts source beside this file (run under tsx), else dist/log-worker.js
 * beside the bundle this module was built into (dist/index.js) or one folder up (dist/cli/…).
 */
export function checkpointWorkerFile(from: string = __dirname): string | null {
  const candidates = [path.join(from, 'checkpoint-worker.ts'), path.join(from, 'log-worker.js'), path.join(from, '..', 'log-worker.js')];
  return candidates.find((f) => fs.existsSync(f)) ?? null;
}

type State = 'starting' | 'running' | 'failed' | 'stopped';

export class CheckpointWorkerError extends Error {
  override readonly name = 'CheckpointWorkerError';
}

export class LogCheckpointer {
  private state: State = 'starting';
  private readonly thread: Worker | null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: FromWorker) => void; reject: (err: Error) => void }>();
  private previousAutoCheckpoint: number | null = null;
  private stopping: Promise<void> | null = null;
  /** Settles true once the worker checkpoints for main, false when it could not start. */
  readonly ready: Promise<boolean>;
  private settleReady: (running: boolean) => void = () => {};

  constructor(
    private readonly log: SagaLog,
    private readonly options: CheckpointerOptions = {},
  ) {
    this.ready = new Promise((resolve) => (this.settleReady = resolve));
    const file = options.workerFile ?? checkpointWorkerFile();
    if (file === null) {
      this.thread = null;
      // Reported after the constructor returns, like every other failure.
      queueMicrotask(() => this.fail(new CheckpointWorkerError(`the checkpoint worker's script is missing (log-worker.js beside the bundle); build first (npm run build)`)));
      return;
    }
    const data: CheckpointWorkerData = {
      file: log.file,
      busyTimeoutMs: options.busyTimeoutMs ?? CHECKPOINTER_DEFAULTS.busyTimeoutMs,
      walSizeLimitBytes: log.walSizeLimitBytes(),
      intervalMs: options.intervalMs ?? CHECKPOINTER_DEFAULTS.intervalMs,
      vacuumStepBudgetMs: options.vacuumStepBudgetMs ?? CHECKPOINTER_DEFAULTS.vacuumStepBudgetMs,
    };
    this.thread = new Worker(file, { workerData: data });
    // Never the reason a process that is otherwise done stays alive.
    this.thread.unref();
    this.thread.on('message', (raw: unknown) => this.onMessage(raw));
    this.thread.on('error', (err) => this.fail(new CheckpointWorkerError(`the checkpoint worker failed: ${err.message}`, { cause: err })));
    this.thread.on('exit', (code) => {
      if (this.state !== 'stopped') this.fail(new CheckpointWorkerError(`the checkpoint worker exited (code ${code}); the main connection checkpoints by itself again`));
    });
  }

  /** True while the worker takes the checkpoints (main's auto-checkpoint is off). */
  get running(): boolean {
    return this.state === 'running';
  }

  /** The thread itself, or null when its script was missing. */
  get worker(): Worker | null {
    return this.thread;
  }

  checkpoint(mode: 'PASSIVE' | 'TRUNCATE'): Promise<CheckpointResult> {
    return this.request({ type: 'checkpoint', id: 0, mode }).then((m) => (m.type === 'checkpointed' ? m.result : unexpected(m)));
  }

  /** Hands every free page back, in the worker; resolves with how many. */
  vacuum(): Promise<number> {
    return this.request({ type: 'vacuum', id: 0 }).then((m) => (m.type === 'vacuumed' ? m.pages : unexpected(m)));
  }

  /** Ends a vacuum under way at its next step; its promise resolves with the pages released so far. */
  cancelVacuum(): void {
    if (this.state === 'running') this.thread?.postMessage({ type: 'cancel-vacuum', id: 0 } satisfies ToWorker);
  }

  /** Asks the worker for a last TRUNCATE checkpoint, lets it close, and gives main its auto-checkpoint back. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.state === 'running') {
        try {
          await this.request({ type: 'stop', id: 0 });
        } catch {
          // Already reported by fail(); main's own checkpoint at close covers what is left.
        }
      }
      if (this.state !== 'failed') this.state = 'stopped';
      // Stopped before it was up: whoever waits on `ready` learns it will not checkpoint.
      this.settleReady(false);
      await this.thread?.terminate();
      this.restoreAutoCheckpoint();
    })();
    return this.stopping;
  }

  private request(m: ToWorker): Promise<FromWorker> {
    if (this.state !== 'running' || !this.thread) return Promise.reject(new CheckpointWorkerError(`the checkpoint worker is not running (${this.state})`));
    const id = this.nextId++;
    const thread = this.thread;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      thread.postMessage({ ...m, id });
    });
  }

  private onMessage(raw: unknown): void {
    const parsed = FromWorker.safeParse(raw);
    if (!parsed.success) return this.fail(new CheckpointWorkerError('the checkpoint worker sent a message outside its protocol'));
    const m = parsed.data;
    if (m.type === 'ready') {
      if (this.state !== 'starting' || !this.log.isOpen) return;
      // From here on the worker's passive checkpoints keep the WAL bounded; a commit on main never checkpoints.
      this.previousAutoCheckpoint = this.log.setAutoCheckpointPages(0);
      this.state = 'running';
      this.settleReady(true);
      return;
    }
    if (m.type === 'failed') return this.fail(new CheckpointWorkerError(m.message));
    const waiter = this.pending.get(m.id);
    if (!waiter) return;
    this.pending.delete(m.id);
    if (m.type === 'error') waiter.reject(new CheckpointWorkerError(`the checkpoint worker: ${m.message}`));
    else {
      if (m.type === 'stopped') this.state = 'stopped';
      waiter.resolve(m);
    }
  }

  private fail(err: Error): void {
    if (this.state === 'failed' || this.state === 'stopped') return;
    this.state = 'failed';
    this.restoreAutoCheckpoint();
    this.settleReady(false);
    for (const w of this.pending.values()) w.reject(err);
    this.pending.clear();
    void this.thread?.terminate();
    this.options.onFailure?.(err);
  }

  private restoreAutoCheckpoint(): void {
    if (this.previousAutoCheckpoint === null || !this.log.isOpen) return;
    this.log.setAutoCheckpointPages(this.previousAutoCheckpoint);
    this.previousAutoCheckpoint = null;
  }
}

function unexpected(m: FromWorker): never {
  throw new CheckpointWorkerError(`the checkpoint worker answered '${m.type}'`);
}
