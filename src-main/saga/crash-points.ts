// Test-only crash injection: LAUNCHER_CRASH_AT=<saga>:<stepIndex>:<point> makes the process
// SIGKILL itself at that exact durable-write point, so kill-and-relaunch tests hit the same
// spot every run. Inert unless the variable is set.
import { z } from 'zod';
import { describeZodIssue } from '../../src-shared/zod-issue';

export const CrashPointName = z.enum([
  'before_pending', // the step's pending row is not written yet
  'after_pending', // the pending row is committed; nothing was sent
  'after_dispatch', // the target has replied; its outcome is not written yet
  'after_outcome', // the step's outcome is committed; the next step has not begun
  'during_compensation', // the undo of <stepIndex> is recorded pending; its outcome is not
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
