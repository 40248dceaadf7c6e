// What main and the checkpoint worker (checkpoint-worker.ts) say to each other, checked with zod on
// both sides: a thread boundary is a boundary like any other.
import { z } from 'zod';

export const CheckpointWorkerData = z.strictObject({
  file: z.string().min(1),
  busyTimeoutMs: z.number().int().nonnegative(),
  /** Main's journal_size_limit, kept on the worker's connection too (see wal-size.ts); -1 for none. */
  walSizeLimitBytes: z.number().int().min(-1),
  /** A passive checkpoint every this many ms (cheap when the WAL holds nothing new). */
  intervalMs: z.number().int().positive(),
  /** How long one incremental_vacuum step may hold the write lock (main's writes wait that long at worst). */
  vacuumStepBudgetMs: z.number().positive(),
});
export type CheckpointWorkerData = z.infer<typeof CheckpointWorkerData>;

export const ToWorker = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('checkpoint'), id: z.number().int(), mode: z.enum(['PASSIVE', 'TRUNCATE']) }),
  z.strictObject({ type: z.literal('vacuum'), id: z.number().int() }),
  /** Ends a vacuum under way at its next step (it answers with the pages released so far). */
  z.strictObject({ type: z.literal('cancel-vacuum'), id: z.number().int() }),
  z.strictObject({ type: z.literal('stop'), id: z.number().int() }),
]);
export type ToWorker = z.infer<typeof ToWorker>;

const CheckpointResult = z.strictObject({
  /** SQLite could not finish (a reader or writer held what it needed); the next tick tries again. */
  busy: z.boolean(),
  walFrames: z.number().int(),
  copiedFrames: z.number().int(),
});
export type CheckpointResult = z.infer<typeof CheckpointResult>;

export const FromWorker = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready') }),
  /** The worker could not open the log or a tick failed: main takes checkpoints back. */
  z.strictObject({ type: z.literal('failed'), message: z.string() }),
  z.strictObject({ type: z.literal('checkpointed'), id: z.number().int(), result: CheckpointResult }),
  z.strictObject({ type: z.literal('vacuumed'), id: z.number().int(), pages: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal('stopped'), id: z.number().int(), result: CheckpointResult }),
  z.strictObject({ type: z.literal('error'), id: z.number().int(), message: z.string() }),
]);
export type FromWorker = z.infer<typeof FromWorker>;
