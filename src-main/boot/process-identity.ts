// Who a process is, in a form that survives pid reuse: on Linux the pid plus the kernel's start
// time of the process (/proc/<pid>/stat field 22, clock ticks since boot); elsewhere the pid alone.
import fs from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  /** Kernel start time in clock ticks since boot; null where the platform does not tell it. */
  startTicks: number | null;
}

/** The start time of `pid`, or null when it has no /proc entry (exited, or not Linux). */
export function processStartTicks(pid: number): number | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces or ')': split after the last one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); field 22 (starttime) is therefore fields[19]. A zombie is gone.
  if (fields[0] === 'Z' || fields[0] === 'X') return null;
  const ticks = Number(fields[19]);
  return Number.isSafeInteger(ticks) ? ticks : null;
}

export function currentProcessIdentity(): ProcessIdentity {
  return { pid: process.pid, startTicks: process.platform === 'linux' ? processStartTicks(process.pid) : null };
}

/**
 * Whether the process a record names still runs. With a start time, a different process that
 * got the same pid since does not count; without one (not Linux) any process with the pid does.
 */
export function isProcessAlive(who: ProcessIdentity): boolean {
  if (who.startTicks !== null && process.platform === 'linux') return processStartTicks(who.pid) === who.startTicks;
  try {
    process.kill(who.pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
