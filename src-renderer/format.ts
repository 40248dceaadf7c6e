// How times, durations and payloads read in the panel.
import type { SagaState, StepState } from '../src-shared/saga-model';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The local zone as an offset from UTC, e.g. `UTC`, `UTC+01:00`, `UTC-05:30`. */
export function zoneLabel(d: Date = new Date()): string {
  const off = -d.getTimezoneOffset();
  if (off === 0) return 'UTC';
  const a = Math.abs(off);
  return `UTC${off > 0 ? '+' : '-'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
}

/** Local wall-clock time with its zone; `short` leaves out the year and the zone (a column header names it). */
export function formatTime(iso: string, short = false): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (short) return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time} ${zoneLabel(d)}`;
}

/** The tooltip of a shown time: the same instant in UTC. */
export function utcTitle(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`;
}

export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
}

/** From start to end, or to now while it still runs. */
export function duration(startedAt: string, endedAt: string | null, now = Date.now()): string {
  const start = Date.parse(startedAt);
  const end = endedAt === null ? now : Date.parse(endedAt);
  if (Number.isNaN(start) || Number.isNaN(end)) return '—';
  const text = formatDurationMs(end - start);
  return endedAt === null ? `${text}…` : text;
}

/** A saga that recovery marked after a crash: its end time is the relaunch, not when it stopped. */
export function wasInterrupted(s: { state: SagaState; failureReason: string | null }): boolean {
  return s.state === 'failed_compensation' && (s.failureReason ?? '').startsWith('interrupted');
}

/** A saga's duration; an interrupted one ran at least until its last recorded step activity. */
export function sagaDuration(
  s: { state: SagaState; failureReason: string | null; startedAt: string; endedAt: string | null; lastActivityAt: string | null },
  now = Date.now(),
): string {
  if (!wasInterrupted(s)) return duration(s.startedAt, s.endedAt, now);
  const ran = s.lastActivityAt === null ? 0 : Date.parse(s.lastActivityAt) - Date.parse(s.startedAt);
  return `ran at least ${formatDurationMs(Math.max(0, ran))}, interrupted`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Pretty JSON when the text parses, the text itself otherwise (a truncated payload never parses). */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export const STATE_LABELS: Record<SagaState, string> = {
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  compensating: 'compensating',
  failed_compensation: 'failed_compensation',
};

export function isLive(state: SagaState): boolean {
  return state === 'running' || state === 'compensating';
}

/** A pending step of a saga that is no longer live was in flight when the process died. */
export function stepLabel(step: StepState, saga: SagaState): string {
  if (step === 'pending') return isLive(saga) ? 'in flight' : 'outcome unknown';
  return step;
}
