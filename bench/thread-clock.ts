// The main thread's own clocks: time on a CPU, and time it sat runnable on the run queue while
// other processes had both cores. Linux keeps both per thread in /proc/thread-self/schedstat;
// a wall-clock wait minus the run-queue time is what the thread itself held (its CPU, plus any
// sleep inside a call: I/O, a lock): on a loaded two-core machine the run queue alone made log
// calls of 1 ms of CPU read 10–20 ms of wall. Elsewhere the run queue reads 0.
import fs from 'node:fs';

export interface ThreadClock {
  cpuMs: number;
  runQueueMs: number;
}

let fd: number | null = null;
try {
  fd = fs.openSync('/proc/thread-self/schedstat', 'r');
} catch {
  fd = null;
}
const buf = Buffer.alloc(96);

/** True where the run-queue time is known (Linux with schedstats). */
export const runQueueKnown = fd !== null;

export function threadClock(): ThreadClock {
  // CPU from getrusage: schedstat's on-CPU figure is brought up to date only at scheduler events,
  // so it lags a running thread by up to a tick; the run-queue figure is settled by the time the
  // thread runs again to read it.
  const u = process.threadCpuUsage();
  const cpuMs = (u.user + u.system) / 1000;
  if (fd === null) return { cpuMs, runQueueMs: 0 };
  // pread at 0 on a /proc file regenerates it: a few microseconds.
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  const waited = Number(buf.toString('latin1', 0, n).split(' ')[1]) / 1e6;
  // A kernel that keeps no run-queue figure there reads as none rather than NaN in every result.
  return { cpuMs, runQueueMs: Number.isFinite(waited) ? waited : 0 };
}
