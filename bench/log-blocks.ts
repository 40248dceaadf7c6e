// How long the log itself holds the main thread: every method of SagaLog, timed from call to
// return (its synchronous part; every SQLite call of the subsystem on main goes through one).
// A call made inside another (finishStep inside a transaction, say) counts as part of the outer
// one, so a figure is one uninterrupted hold. Installed only while a served or launch activity
// runs: the log part's micro-benchmarks time the same methods back to back and must not pay for
// the wrapper.
import { SagaLog } from '../src-main/saga/log/saga-log';
import { threadClock } from './thread-clock';

/**
 * One outermost call: its wall time; what the thread held of it (wall minus the time it sat on
 * the run queue: its CPU and any sleep inside SQLite, I/O or a lock); its CPU; its name; when it ran.
 */
export interface LogCall {
  ms: number;
  heldMs: number;
  cpuMs: number;
  method: string;
  at: [number, number];
}
export type LogBlockSink = (call: LogCall) => void;

const proto = SagaLog.prototype as unknown as Record<string, unknown>;
const originals = new Map<string, (...args: unknown[]) => unknown>();
for (const name of Object.getOwnPropertyNames(SagaLog.prototype)) {
  if (name === 'constructor') continue;
  const d = Object.getOwnPropertyDescriptor(SagaLog.prototype, name);
  // Getters (isOpen, the statement caches) are not calls an activity makes.
  if (d && typeof d.value === 'function') originals.set(name, d.value as (...args: unknown[]) => unknown);
}

const statics = new Map<string, (...args: unknown[]) => unknown>([['open', SagaLog.open as (...args: unknown[]) => unknown]]);
const ctor = SagaLog as unknown as Record<string, unknown>;

let depth = 0;
let installed = false;

/** Wraps every SagaLog method so each outermost call reports its wall time to `sink`. */
export function installLogBlocks(sink: LogBlockSink): void {
  // Installed once per stretch of served activities: the sink reads the monitor's current activity.
  if (installed) return;
  installed = true;
  const timed = (name: string, fn: (...args: unknown[]) => unknown) =>
    function timedCall(this: unknown, ...args: unknown[]): unknown {
      if (depth > 0) return fn.apply(this, args);
      depth = 1;
      const [t0, c0] = [performance.now(), threadClock()];
      try {
        return fn.apply(this, args);
      } finally {
        depth = 0;
        const [t1, c1] = [performance.now(), threadClock()];
        sink({ ms: t1 - t0, heldMs: t1 - t0 - (c1.runQueueMs - c0.runQueueMs), cpuMs: c1.cpuMs - c0.cpuMs, method: name, at: [t0, t1] });
      }
    };
  for (const [name, fn] of originals) proto[name] = timed(name, fn);
  // Opening a log (its checks and migrations) holds main too, at launch.
  for (const [name, fn] of statics) ctor[name] = timed(name, fn);
}

export function uninstallLogBlocks(): void {
  if (!installed) return;
  installed = false;
  for (const [name, fn] of originals) proto[name] = fn;
  for (const [name, fn] of statics) ctor[name] = fn;
}
