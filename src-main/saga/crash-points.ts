// Test-only crash injection: LAUNCHER_CRASH_AT=<saga>:<stepIndex>:<point> makes the process
// SIGKILL itself at that exact durable-write point, so kill-and-relaunch tests hit the same
// spot every run. Inert unless the variable is set.
import { z } from 'zod';
import { describeZodIssue } from '../../src-shared/zod-issue';

// One commit per step: step i's outcome and step i+1's pending row are one commit, as are the saga
// row and step 0's pending row, and the last step's outcome and `completed`. So some points share
// a moment; each fires where its own condition first holds. What the log holds at each:
export const CrashPointName = z.enum([
  // The step's pending row is not written, and neither is what commits with it: for step 0 the
  // saga row (nothing of the saga is in the log), for step i+1 step i's outcome (step i is still
  // pending though it replied: recovery names step i, outcome unknown).
  'before_pending',
  // The step's pending row is committed; nothing was sent. For step i+1 this is the same moment
  // as after_outcome of step i.
  'after_pending',
  // The target has replied; the step's outcome is not written (the step is still pending).
  'after_dispatch',
  // The step's outcome is committed. If it succeeded and a next step follows, step i+1's pending
  // row is committed too (never sent; recovery names step i+1, outcome unknown); after the last
  // step the saga is completed. A failed step, or one whose next step could not be readied
  // (command not built, peer unavailable), has its outcome committed alone, nothing in flight.
  'after_outcome',
  // The undo of <stepIndex> is recorded pending; its outcome is not (undos keep a commit each).
  // Only the engine's own compensation after a failed step; "compensate now" has its own points.
  'during_compensation',
  // Reconciliation after a relaunch (<stepIndex> is the in-flight step asked about): every peer
  // has answered, and none of the answers is recorded. The log holds what recovery wrote and no
  // more; the step row carries no answer (or the previous launch's).
  'reconcile_answered',
  // "Compensate now" (<stepIndex> is the undone forward step): the saga is `compensating`, the
  // operator action is recorded, the undo's row is committed pending and nothing was sent.
  'compensate_now_undo_pending',
  // "Compensate now": the undo's outcome is committed; the next undo (or the end of the action
  // and the saga's new state) is not.
  'compensate_now_undo_outcome',
]);
export type CrashPointName = z.infer<typeof CrashPointName>;

export const CRASH_ENV = 'LAUNCHER_CRASH_AT';

const CrashSpec = z
  .string()
  .regex(/^[^:]+:\d+:[a-z_]+$/, `expected <saga>:<stepIndex>:<point>, e.g. open_workspace:1:after_pending`)
  .transform((s) => {
    const [saga, step, point] = s.split(':') as [string, string, string];
    return { saga, stepIndex: Number(step), point };
  })
  .pipe(z.object({ saga: z.string(), stepIndex: z.number().int().nonnegative(), point: CrashPointName }));
export type CrashSpec = z.infer<typeof CrashSpec>;

/** Parses the variable's value; a malformed value is an error, never silently inert. */
export function parseCrashSpec(value: string | undefined): CrashSpec | null {
  if (value === undefined || value === '') return null;
  const parsed = CrashSpec.safeParse(value);
  if (!parsed.success) {
    throw new Error(`${CRASH_ENV}='${value}' is not a crash point: ${describeZodIssue(parsed.error)} (points: ${CrashPointName.options.join(', ')})`);
  }
  return parsed.data;
}

let armed: CrashSpec | null | undefined;

/** Reads LAUNCHER_CRASH_AT once; the coordinator calls this at construction so a typo fails the launch. */
export function loadCrashPoint(): CrashSpec | null {
  if (armed === undefined) armed = parseCrashSpec(process.env[CRASH_ENV]);
  return armed;
}

export function crashPoint(sagaName: string, stepIndex: number, point: CrashPointName): void {
  const spec = armed === undefined ? loadCrashPoint() : armed;
  if (spec === null || spec.point !== point || spec.stepIndex !== stepIndex || spec.saga !== sagaName) return;
  process.stderr.write(`crash point ${sagaName}:${stepIndex}:${point} reached; killing this process\n`);
  // SIGKILL, not exit(): no exit handlers, no flushes, exactly what a crash leaves behind.
  process.kill(process.pid, 'SIGKILL');
}
