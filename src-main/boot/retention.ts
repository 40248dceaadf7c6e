// Deletes finished sagas (completed, failed, and failed_compensation once reviewed) that are
// older than maxAgeDays or beyond the newest keepNewest, at boot and every few hours.
// Deletes are cut into small transactions with a turn of the event loop between them, so IPC
// and running sagas on the main thread never wait more than a few milliseconds; checkpoints and
// the vacuum run in the checkpoint worker (saga/log/checkpointer.ts) when it runs, else here in
// slices of the same budget.
import type { LogCheckpointer } from '../saga/log/checkpointer';
import type { SagaLog } from '../saga/log/saga-log';
import { BudgetedBatch, yieldToEventLoop } from '../saga/log/budgeted-batch';

export interface RetentionOptions {
  maxAgeDays?: number;
  keepNewest?: number;
  /** The most sagas deleted in one transaction (steps cascade with them); fewer when sagas are slow to delete. */
  batchSize?: number;
  /**
   * How long one transaction may hold the main thread. A saga's cost depends on its steps and the
   * file, so the batch size adapts to keep each batch near this budget.
   */
  batchBudgetMs?: number;
  /** The most free pages handed back per incremental_vacuum call (fewer when pages are slow to move). */
  vacuumPagesPerStep?: number;
  /**
   * WAL pages between checkpoints while a pass runs. A checkpoint lands inside whichever commit
   * crosses the mark; at the default 1,000 pages that one commit holds the thread for tens of ms.
   */
  checkpointPages?: number;
  /** The most rows of the id index one piece of the keepNewest count walks (fewer when rows are slow to walk). */
  cutoffWalkRows?: number;
  /** The most ids one delete statement walks past, so a long stretch of kept sagas is walked in pieces too. */
  walkIds?: number;
  /** With the checkpoint worker: delete slices between two waits for its checkpoint. */
  slicesPerCheckpoint?: number;
  intervalMs?: number;
}

export const RETENTION_DEFAULTS = {
  maxAgeDays: 7,
  keepNewest: 10_000,
  batchSize: 300,
  // Half the 4 ms ceiling: a slice's cost is predicted from the last ones, and a slow one overshoots.
  batchBudgetMs: 2,
  vacuumPagesPerStep: 64,
  checkpointPages: 128,
  cutoffWalkRows: 20_000,
  walkIds: 2048,
  slicesPerCheckpoint: 32,
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

export function scheduleRetention(
  log: SagaLog,
  options: RetentionOptions = {},
  clock: () => Date = () => new Date(),
  onError: (err: unknown) => void = () => {},
  checkpointer: LogCheckpointer | null = null,
): Retention {
  const o = { ...RETENTION_DEFAULTS, ...options };
  let stopped = false;
  let current: Promise<RetentionPass> | null = null;

  async function pass(): Promise<RetentionPass> {
    const result: RetentionPass = { deleted: 0, batches: 0, pagesReleased: 0 };
    if (!log.writable) return result;
    // One cutoff for the whole pass, so sagas finishing meanwhile do not keep it going forever.
    const endedBefore = new Date(clock().getTime() - o.maxAgeDays * DAY_MS);
    const upToId = await idBeyondNewest(o.keepNewest);
    if (stopped) return result;
    // With the worker running, main's auto-checkpoint is off and stays off; without it, commits
    // checkpoint in small pieces while the pass writes.
    const previousCheckpointPages = checkpointer?.running ? null : log.setAutoCheckpointPages(o.checkpointPages);
    try {
      await deleteAndVacuum(endedBefore, upToId, result);
    } finally {
      if (previousCheckpointPages !== null && log.isOpen && !checkpointer?.running) log.setAutoCheckpointPages(previousCheckpointPages);
    }
    return result;
  }

  /** Counting back a large keepNewest is an index walk as long as the count: walk it in pieces. */
  async function idBeyondNewest(keepNewest: number): Promise<number> {
    let below = Number.MAX_SAFE_INTEGER;
    let left = keepNewest;
    // A row of the walk costs 50 ns on an idle machine and 30 times that on a loaded one: pieces follow the budget.
    const walking = new BudgetedBatch(o.batchBudgetMs, o.cutoffWalkRows, 1000);
    while (left > walking.size) {
      const rows = walking.size;
      const t0 = performance.now();
      const id = log.idBeyondNewest(rows, below);
      walking.record(rows, performance.now() - t0);
      if (id === 0) return 0;
      // `id` is the newest not yet counted: the next piece starts at it.
      below = id + 1;
      left -= rows;
      await yieldToEventLoop();
      if (stopped) return 0;
    }
    return log.idBeyondNewest(left, below);
  }

  async function deleteAndVacuum(endedBefore: Date, upToId: number, result: RetentionPass): Promise<void> {
    const deleting = new BudgetedBatch(o.batchBudgetMs, o.batchSize, 16);
    // Sagas started after the pass began are newer than both cutoffs: the walk ends at today's highest id.
    const lastId = log.maxSagaId();
    // One cursor for the pass: each id is walked once, so sagas kept (unreviewed
    // failed_compensation, recent ones) cost one visit per pass instead of one per batch.
    let after = 0;
    while (!stopped && after < lastId) {
      const batch = deleting.size;
      const t0 = performance.now();
      const r = log.pruneFinished({ endedBefore, upToId, batchSize: batch, afterId: after, throughId: Math.min(lastId, after + o.walkIds) });
      deleting.record(r.deleted, performance.now() - t0);
      result.deleted += r.deleted;
      if (r.deleted > 0) result.batches++;
      after = r.walkedThrough;
      // Slices follow each other too closely for the worker's timer to find the WAL all copied when a
      // write begins, the only moment SQLite starts it over: waiting for a checkpoint now and then keeps
      // it small (a -wal hundreds of MB long is then truncated under the write lock, a long wait on main).
      if (checkpointer?.running && result.batches % o.slicesPerCheckpoint === 0 && r.deleted > 0) await checkpointer.checkpoint('PASSIVE').catch(() => {});
      await yieldToEventLoop();
    }
    if (stopped) return;
    if (checkpointer?.running) {
      try {
        result.pagesReleased += await checkpointer.vacuum();
        return;
      } catch {
        // The worker died (the checkpointer reported it once): what is left is vacuumed here.
      }
    }
    // Moving a page can cost far more than deleting a row (parents and pointer maps are rewritten),
    // so vacuum steps are sized to the same budget as the deletes.
    const vacuuming = new BudgetedBatch(o.batchBudgetMs, o.vacuumPagesPerStep, 8);
    let free = log.freePageCount();
    while (!stopped && free > 0) {
      const t0 = performance.now();
      log.releaseFreePages(vacuuming.size);
      const left = log.freePageCount();
      const released = free - left;
      vacuuming.record(released, performance.now() - t0);
      result.pagesReleased += released;
      if (released <= 0) break;
      free = left;
      await yieldToEventLoop();
    }
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
      checkpointer?.cancelVacuum();
      await current?.catch(() => {});
    },
  };
}
