// Deletes finished sagas (completed, failed, and failed_compensation once reviewed) that are
// older than maxAgeDays or beyond the newest keepNewest, at boot and every few hours.
// Work is cut into small transactions with a turn of the event loop between them, so IPC
// and running sagas on the main thread never wait more than a few milliseconds.
import type { SagaLog } from '../saga/log/saga-log';

export interface RetentionOptions {
  maxAgeDays?: number;
  keepNewest?: number;
  /** The most sagas deleted in one transaction (steps cascade with them). */
  batchSize?: number;
  /**
   * How long one transaction may hold the main thread. A saga's cost depends on its steps and the
   * file, so the batch size adapts to keep each batch near this budget.
   */
  batchBudgetMs?: number;
  /** Free pages handed back per incremental_vacuum call. */
  vacuumPagesPerStep?: number;
  intervalMs?: number;
}

export const RETENTION_DEFAULTS = {
  maxAgeDays: 7,
  keepNewest: 10_000,
  batchSize: 300,
  batchBudgetMs: 4,
  vacuumPagesPerStep: 256,
  intervalMs: 4 * 60 * 60 * 1000,
} as const satisfies Required<RetentionOptions>;

export interface RetentionPass {
  deleted: number;
  batches: number;
  pagesReleased: number;
}

export interface Retention {
  /** One full pass now (joins a pass already under way). */
  runNow(): Promise<RetentionPass>;
  /** Stops the timer and waits for a pass under way to stop at its next batch boundary. */
  stop(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function scheduleRetention(
  log: SagaLog,
  options: RetentionOptions = {},
  clock: () => Date = () => new Date(),
  onError: (err: unknown) => void = () => {},
): Retention {
  const o = { ...RETENTION_DEFAULTS, ...options };
  let stopped = false;
  let current: Promise<RetentionPass> | null = null;

  async function pass(): Promise<RetentionPass> {
    const result: RetentionPass = { deleted: 0, batches: 0, pagesReleased: 0 };
    if (!log.writable) return result;
    // One cutoff for the whole pass, so sagas finishing meanwhile do not keep it going forever.
    const endedBefore = new Date(clock().getTime() - o.maxAgeDays * DAY_MS);
    const upToId = log.idBeyondNewest(o.keepNewest);
    let batch = Math.min(o.batchSize, 16);
    while (!stopped) {
      const t0 = performance.now();
      const n = log.pruneFinished({ endedBefore, upToId, batchSize: batch });
      const ms = performance.now() - t0;
      result.deleted += n;
      if (n > 0) result.batches++;
      if (n < batch) break;
      // Proportional step toward the budget, at most doubling, so one slow batch cannot repeat.
      const fit = ms > 0 ? Math.floor((batch * o.batchBudgetMs) / ms) : batch * 2;
      batch = Math.max(1, Math.min(o.batchSize, batch * 2, fit));
      await yieldToEventLoop();
    }
    while (!stopped) {
      const before = log.freePageCount();
      if (before === 0) break;
      log.releaseFreePages(o.vacuumPagesPerStep);
      const released = before - log.freePageCount();
      result.pagesReleased += released;
      if (released <= 0) break;
      await yieldToEventLoop();
    }
    return result;
  }

  function runNow(): Promise<RetentionPass> {
    if (current) return current;
    current = pass().finally(() => {
      current = null;
    });
    return current;
  }

  const timer = setInterval(() => {
    runNow().catch(onError);
  }, o.intervalMs);
  // Retention must never be the reason a process that is otherwise done stays alive.
  timer.unref();

  return {
    runNow,
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await current?.catch(() => {});
    },
  };
}
