// How times, durations and payloads read in the panel.
import type { SagaState, StepState } from '../src-shared/saga-model';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local wall-clock time; the ISO text stays available as a tooltip. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
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
