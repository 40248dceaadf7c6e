// The event-loop monitor over the whole bench: every activity is wrapped, and the longest the main
// thread's event loop was kept waiting during it is recorded (perf_hooks.monitorEventLoopDelay at
// 1 ms resolution: a wait reads as its length plus up to about a millisecond).
// Activities are of three kinds, and only `served` ones count toward `main.longest_wait_ms`:
//   served  what a running app does while windows and IPC are served: sagas, retention, the panel's
//           queries, reconciliation;
//   launch  launch-time recovery, which runs before anything is served (reported on its own);
//   excluded deliberately synchronous micro-benchmarks, fixture building and another library:
//           not the main thread waiting on the log in product use (each says why).
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { round } from './stats';

export type ActivityKind = 'served' | 'launch' | 'excluded';

interface Level {
  name: string;
  kind: ActivityKind;
  why: string;
  maxMs: number;
}

export interface ActivityWait {
  name: string;
  kind: ActivityKind;
  why: string;
  maxMs: number;
}

class WaitMonitor {
  private histogram: IntervalHistogram | null = null;
  private readonly stack: Level[] = [];
  private readonly waits = new Map<string, ActivityWait>();

  start(): void {
    this.histogram = monitorEventLoopDelay({ resolution: 1 });
    this.histogram.enable();
  }

  /** Runs `fn` as an activity; a nested activity's waits are its own, not its parent's. */
  async activity<T>(name: string, kind: ActivityKind, why: string, fn: () => T | Promise<T>): Promise<T> {
    this.fold();
    this.stack.push({ name, kind, why, maxMs: 0 });
    try {
      return await fn();
    } finally {
      // The last turn's delay is only recorded when the timer next fires: let it.
      await new Promise((resolve) => setTimeout(resolve, 2));
      this.fold();
      const level = this.stack.pop()!;
      const seen = this.waits.get(level.name);
      this.waits.set(level.name, { name, kind, why, maxMs: Math.max(seen?.maxMs ?? 0, level.maxMs) });
    }
  }

  /** A wait measured by the activity itself (a per-call maximum), for loops that are one turn by construction. */
  record(name: string, kind: ActivityKind, why: string, ms: number): void {
    const seen = this.waits.get(name);
    this.waits.set(name, { name, kind, why, maxMs: Math.max(seen?.maxMs ?? 0, ms) });
  }

  /** Charges what the histogram saw since the last fold to the innermost activity, then starts afresh. */
  private fold(): void {
    const h = this.histogram;
    const top = this.stack.at(-1);
    if (!h) return;
    if (top && h.count > 0) top.maxMs = Math.max(top.maxMs, h.max / 1e6);
    h.reset();
  }

  /** Every activity's longest wait, and the figures for results.json. */
  report(): { figures: Record<string, number | string>; rows: ActivityWait[] } {
    this.histogram?.disable();
    const rows = [...this.waits.values()];
    const longest = (kind: ActivityKind) => rows.filter((r) => r.kind === kind).reduce<ActivityWait | null>((a, r) => (a === null || r.maxMs > a.maxMs ? r : a), null);
    const served = longest('served');
    const launch = longest('launch');
    const figures: Record<string, number | string> = {
      'main.longest_wait_ms': round(served?.maxMs ?? 0, 2),
      'main.longest_wait_activity': served?.name ?? 'none',
      'main.longest_launch_wait_ms': round(launch?.maxMs ?? 0, 2),
      'main.longest_launch_wait_activity': launch?.name ?? 'none',
    };
    for (const r of rows) figures[`main.wait_ms.${r.name.replace(/[^a-z0-9]+/gi, '_').replace(/^_|_$/g, '').toLowerCase()}`] = round(r.maxMs, 2);
    return { figures, rows };
  }
}

/** One monitor for the bench process: bench/run.ts starts it and reports it; every part wraps its activities. */
export const waits = new WaitMonitor();
