// The event-loop monitor over the whole bench: every activity is wrapped, and the longest the main
// thread's event loop was kept waiting during it is recorded. A timer-drift sampler: a 1 ms timer
// notes each gap between its runs (a wait reads as its length plus up to about a millisecond), and
// the main thread's own CPU time over that gap, which tells a wait the thread spent working (on the
// log, say) from one the machine imposed (the process descheduled on a loaded machine).
// Activities are of three kinds, and only `served` ones count toward `main.longest_wait_ms`:
//   served  what a running app does while windows and IPC are served: sagas, retention, the panel's
//           queries, reconciliation;
//   launch  launch-time recovery, which runs before anything is served (reported on its own);
//   excluded deliberately synchronous micro-benchmarks, fixture building and another library:
//           not the main thread waiting on the log in product use (each says why).
import { round } from './stats';

export type ActivityKind = 'served' | 'launch' | 'excluded';

export interface ActivityWait {
  name: string;
  kind: ActivityKind;
  why: string;
  /** The longest gap between two turns of the event loop (wall clock). */
  maxMs: number;
  /** The most CPU time the main thread itself spent within one gap. */
  maxCpuMs: number;
}

const threadCpuMs = () => {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
};

class WaitMonitor {
  private timer: NodeJS.Timeout | null = null;
  private readonly stack: ActivityWait[] = [];
  private readonly waits = new Map<string, ActivityWait>();

  start(): void {
    let wall = performance.now();
    let cpu = threadCpuMs();
    this.timer = setInterval(() => {
      const [w, c] = [performance.now(), threadCpuMs()];
      const top = this.stack.at(-1);
      if (top) {
        top.maxMs = Math.max(top.maxMs, w - wall);
        top.maxCpuMs = Math.max(top.maxCpuMs, c - cpu);
      }
      [wall, cpu] = [w, c];
    }, 1);
  }

  /**
   * Runs `fn` as an activity; a nested activity's waits are its own, not its parent's. A gap is
   * charged to the activity running when it ends (the gap that ends an activity's last turn is its own).
   */
  async activity<T>(name: string, kind: ActivityKind, why: string, fn: () => T | Promise<T>): Promise<T> {
    // A gap the code before this activity opened (bench glue running synchronously) ends at the
    // timer's next run: let it close first, so it is charged to what opened it, not to this activity.
    await new Promise((resolve) => setTimeout(resolve, 2));
    this.stack.push({ name, kind, why, maxMs: 0, maxCpuMs: 0 });
    try {
      return await fn();
    } finally {
      // The gap that holds the activity's last synchronous stretch ends at the timer's next run: let it.
      await new Promise((resolve) => setTimeout(resolve, 2));
      const level = this.stack.pop()!;
      this.record(level.name, kind, why, level.maxMs, level.maxCpuMs);
    }
  }

  /** A wait measured by the activity itself (a per-call maximum), for loops that are one turn by construction. */
  record(name: string, kind: ActivityKind, why: string, ms: number, cpuMs: number = ms): void {
    const seen = this.waits.get(name);
    this.waits.set(name, { name, kind, why, maxMs: Math.max(seen?.maxMs ?? 0, ms), maxCpuMs: Math.max(seen?.maxCpuMs ?? 0, cpuMs) });
  }

  /** Every activity's longest wait, and the figures for results.json. */
  report(): { figures: Record<string, number | string>; rows: ActivityWait[] } {
    if (this.timer) clearInterval(this.timer);
    const rows = [...this.waits.values()];
    const longest = (kind: ActivityKind) => rows.filter((r) => r.kind === kind).reduce<ActivityWait | null>((a, r) => (a === null || r.maxMs > a.maxMs ? r : a), null);
    const served = longest('served');
    const launch = longest('launch');
    const figures: Record<string, number | string> = {
      'main.longest_wait_ms': round(served?.maxMs ?? 0, 2),
      'main.longest_wait_activity': served?.name ?? 'none',
      // The same activity's longest stretch of the main thread's own CPU time: a wall-clock wait far
      // above it was the machine (descheduling, other processes' I/O), not work on this thread.
      'main.longest_wait_cpu_ms': round(served?.maxCpuMs ?? 0, 2),
      'main.longest_cpu_wait_ms': round(Math.max(0, ...rows.filter((r) => r.kind === 'served').map((r) => r.maxCpuMs)), 2),
      'main.longest_launch_wait_ms': round(launch?.maxMs ?? 0, 2),
      'main.longest_launch_wait_activity': launch?.name ?? 'none',
    };
    for (const r of rows) {
      const key = r.name.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '').toLowerCase();
      figures[`main.wait_ms.${key}`] = round(r.maxMs, 2);
      figures[`main.wait_cpu_ms.${key}`] = round(r.maxCpuMs, 2);
    }
    return { figures, rows };
  }
}

/** One monitor for the bench process: bench/run.ts starts it and reports it; every part wraps its activities. */
export const waits = new WaitMonitor();
