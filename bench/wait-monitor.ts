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
import { PerformanceObserver } from 'node:perf_hooks';
import { installLogBlocks, uninstallLogBlocks } from './log-blocks';
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
  /** When the longest gap began and ended (performance.now()), to find the GC pauses inside it. */
  maxAt: [number, number];
  /** The longest single call into the log (a SagaLog method, outermost) and which: the log's own hold on main. */
  maxLogMs: number;
  maxLogMethod: string;
  /** The main thread's CPU inside that call, and when it ran (for the GC pauses inside it). */
  maxLogCpuMs: number;
  maxLogAt: [number, number];
}

export interface ActivityReport extends ActivityWait {
  /** V8's garbage-collection pauses inside the longest gap (PerformanceObserver 'gc' entries). */
  gcInLongestMs: number;
  /** The same inside the longest call into the log. */
  gcInLongestLogMs: number;
}

const NO_LOG_CALL = { maxLogMs: 0, maxLogMethod: '', maxLogCpuMs: 0, maxLogAt: [0, 0] as [number, number] };

const threadCpuMs = () => {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
};

class WaitMonitor {
  private timer: NodeJS.Timeout | null = null;
  private readonly stack: ActivityWait[] = [];
  private readonly waits = new Map<string, ActivityWait>();
  private readonly gcPauses: [number, number][] = [];
  private gcObserver: PerformanceObserver | null = null;

  start(): void {
    this.gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.gcPauses.push([e.startTime, e.startTime + e.duration]);
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
    let wall = performance.now();
    let cpu = threadCpuMs();
    this.timer = setInterval(() => {
      const [w, c] = [performance.now(), threadCpuMs()];
      const top = this.stack.at(-1);
      if (top) {
        if (w - wall > top.maxMs) [top.maxMs, top.maxAt] = [w - wall, [wall, w]];
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
    this.stack.push({ name, kind, why, maxMs: 0, maxCpuMs: 0, maxAt: [0, 0], ...NO_LOG_CALL });
    this.timeLogCallsIfServed();
    try {
      return await fn();
    } finally {
      // The gap that holds the activity's last synchronous stretch ends at the timer's next run: let it.
      await new Promise((resolve) => setTimeout(resolve, 2));
      const level = this.stack.pop()!;
      this.timeLogCallsIfServed();
      this.merge(level);
    }
  }

  /** The log's calls are timed only inside served and launch activities (see log-blocks.ts). */
  private timeLogCallsIfServed(): void {
    const top = this.stack.at(-1);
    if (top && top.kind !== 'excluded') {
      installLogBlocks((ms, cpuMs, method, at) => {
        const now = this.stack.at(-1);
        if (now && ms > now.maxLogMs) Object.assign(now, { maxLogMs: ms, maxLogMethod: method, maxLogCpuMs: cpuMs, maxLogAt: at });
      });
    } else uninstallLogBlocks();
  }

  private merge(w: ActivityWait): void {
    const seen = this.waits.get(w.name);
    if (!seen) {
      this.waits.set(w.name, w);
      return;
    }
    if (w.maxMs > seen.maxMs) [seen.maxMs, seen.maxAt] = [w.maxMs, w.maxAt];
    seen.maxCpuMs = Math.max(seen.maxCpuMs, w.maxCpuMs);
    if (w.maxLogMs > seen.maxLogMs) Object.assign(seen, { maxLogMs: w.maxLogMs, maxLogMethod: w.maxLogMethod, maxLogCpuMs: w.maxLogCpuMs, maxLogAt: w.maxLogAt });
  }

  /** A wait measured by the activity itself (a per-call maximum), for loops that are one turn by construction. */
  record(name: string, kind: ActivityKind, why: string, ms: number, cpuMs: number = ms): void {
    this.merge({ name, kind, why, maxMs: ms, maxCpuMs: cpuMs, maxAt: [0, 0], ...NO_LOG_CALL });
  }

  private gcWithin([from, to]: [number, number]): number {
    let ms = 0;
    for (const [s, e] of this.gcPauses) ms += Math.max(0, Math.min(e, to) - Math.max(s, from));
    return ms;
  }

  /** Every activity's longest wait, and the figures for results.json. */
  report(): { figures: Record<string, number | string>; rows: ActivityReport[] } {
    if (this.timer) clearInterval(this.timer);
    uninstallLogBlocks();
    // Entries still buffered in the observer are delivered on a later tick; take them now.
    for (const e of this.gcObserver?.takeRecords() ?? []) this.gcPauses.push([e.startTime, e.startTime + e.duration]);
    this.gcObserver?.disconnect();
    const rows: ActivityReport[] = [...this.waits.values()].map((r) => ({ ...r, gcInLongestMs: this.gcWithin(r.maxAt), gcInLongestLogMs: this.gcWithin(r.maxLogAt) }));
    const longest = (kind: ActivityKind, by: (r: ActivityReport) => number = (r) => r.maxMs) =>
      rows.filter((r) => r.kind === kind).reduce<ActivityReport | null>((a, r) => (a === null || by(r) > by(a) ? r : a), null);
    const servedLog = longest('served', (r) => r.maxLogMs);
    const launchLog = longest('launch', (r) => r.maxLogMs);
    const served = longest('served');
    const launch = longest('launch');
    const figures: Record<string, number | string> = {
      'main.longest_wait_ms': round(served?.maxMs ?? 0, 2),
      'main.longest_wait_activity': served?.name ?? 'none',
      // The same activity's longest stretch of the main thread's own CPU time: a wall-clock wait far
      // above it was the machine (descheduling, other processes' I/O), not work on this thread.
      'main.longest_wait_cpu_ms': round(served?.maxCpuMs ?? 0, 2),
      'main.longest_cpu_wait_ms': round(Math.max(0, ...rows.filter((r) => r.kind === 'served').map((r) => r.maxCpuMs)), 2),
      // V8's collector inside that wait: time no code of ours chose to spend.
      'main.longest_wait_gc_ms': round(served?.gcInLongestMs ?? 0, 2),
      // The issue's own measure, "no wait over 4 ms on the main thread from the log": the longest
      // single call into the log while the app serves, and which method.
      'main.longest_log_call_ms': round(servedLog?.maxLogMs ?? 0, 2),
      'main.longest_log_call': servedLog ? `${servedLog.maxLogMethod} in ${servedLog.name}` : 'none',
      'main.longest_log_call_cpu_ms': round(servedLog?.maxLogCpuMs ?? 0, 2),
      'main.longest_log_call_gc_ms': round(servedLog?.gcInLongestLogMs ?? 0, 2),
      'main.most_log_call_cpu_ms': round(Math.max(0, ...rows.filter((r) => r.kind === 'served').map((r) => r.maxLogCpuMs)), 2),
      'main.longest_launch_log_call_ms': round(launchLog?.maxLogMs ?? 0, 2),
      'main.longest_launch_log_call': launchLog ? `${launchLog.maxLogMethod} in ${launchLog.name}` : 'none',
      'main.longest_launch_wait_ms': round(launch?.maxMs ?? 0, 2),
      'main.longest_launch_wait_activity': launch?.name ?? 'none',
    };
    for (const r of rows) {
      const key = r.name.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '').toLowerCase();
      figures[`main.wait_ms.${key}`] = round(r.maxMs, 2);
      figures[`main.wait_cpu_ms.${key}`] = round(r.maxCpuMs, 2);
      if (r.kind !== 'excluded') {
        figures[`main.wait_gc_ms.${key}`] = round(r.gcInLongestMs, 2);
        figures[`main.log_call_ms.${key}`] = round(r.maxLogMs, 2);
        figures[`main.log_call_cpu_ms.${key}`] = round(r.maxLogCpuMs, 2);
        figures[`main.log_call_gc_ms.${key}`] = round(r.gcInLongestLogMs, 2);
      }
    }
    return { figures, rows };
  }
}

/** One monitor for the bench process: bench/run.ts starts it and reports it; every part wraps its activities. */
export const waits = new WaitMonitor();
