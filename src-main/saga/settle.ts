// The one settle-once race every dispatch runs: the work's own answer, its deadline, or its
// cancellation, whichever comes first. Later outcomes are dropped, so a late reply never
// overwrites the deadline's verdict and a timer never fires after the answer.
import { errorMessage } from './command';

export interface Race<T> {
  /** Settles the race with `value` unless it has settled already. */
  settle(value: T): void;
  /** Aborted when the race settles by deadline or cancellation: the work should stop. */
  readonly signal: AbortSignal;
}

export interface RaceOptions<T> {
  deadlineMs: number;
  /** The caller's cancellation (a saga's AbortSignal), if any. */
  signal?: AbortSignal | undefined;
  onDeadline(): T;
  onCancel(reason: string): T;
  /** The controller whose signal the work already got (created by the caller before the race). */
  controller?: AbortController;
  /** Runs once, whichever way the race settles (e.g. tells a peer to stop working). */
  onSettled?(how: 'answer' | 'deadline' | 'cancel'): void;
}

export function race<T>(options: RaceOptions<T>, work: (race: Race<T>) => void): Promise<T> {
  return new Promise<T>((resolve) => {
    const ac = options.controller ?? new AbortController();
    let settled = false;
    const finish = (value: T, how: 'answer' | 'deadline' | 'cancel', abortWhy?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (abortWhy !== undefined) ac.abort(new Error(abortWhy));
      options.onSettled?.(how);
      resolve(value);
    };
    const onAbort = () => {
      const why = abortReason(options.signal);
      finish(options.onCancel(why), 'cancel', why);
    };
    const timer = setTimeout(() => finish(options.onDeadline(), 'deadline', 'the deadline passed'), Math.max(0, options.deadlineMs));
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // `work` must not throw: every way it can fail is an answer it settles with.
    work({ settle: (v) => finish(v, 'answer'), signal: ac.signal });
  });
}

/** Why `signal` was aborted, as text for a step's failure reason ('aborted' when no reason was given). */
export function abortReason(signal: AbortSignal | undefined): string {
  const r: unknown = signal?.reason;
  return r === undefined ? 'aborted' : errorMessage(r);
}
