// `launcher-saga diag`: the operator's terminal view of a saga log. Opens the file read-only
// and never creates it, so pointing it at the wrong path cannot damage anything.
import { z } from 'zod';
import {
  SagaState,
  type RecoveryReport,
  type SagaSummary,
  type StepRecord,
  type UnreadableRecoveryReport,
  type UnreadableSaga,
} from '../../src-shared/saga-model';
import { sortSummaries } from '../saga/log/readable-rows';
import { SagaLog } from '../saga/log/saga-log';
import { terminalSafeJson, visible } from './terminal-text';
import { SagaLogError } from '../saga/log/errors';
import { intOption, parseCommandArgs } from './args';
import { UsageError } from './usage-error';

const DiagArgs = z.object({
  db: z.string({ error: 'is required' }).min(1),
  json: z.boolean().optional(),
  state: SagaState.optional(),
  limit: intOption(1, 10_000).optional(),
});

export interface DiagSaga extends SagaSummary {
  steps: StepRecord[];
}

export interface DiagDocument {
  file: string;
  schemaVersion: number;
  readOnlyReason: string | null;
  filter: { state: SagaState | null; limit: number };
  counts: { failedCompensation: number; unresolved: number };
  latestRecovery: RecoveryReport | null;
  sagas: DiagSaga[];
  /** Rows shown as unreadable, with why, instead of failing the whole view. */
  unreadable: { sagas: UnreadableSaga[]; latestRecovery: UnreadableRecoveryReport | null };
}

export function readDiag(file: string, state: SagaState | undefined, limit: number): DiagDocument {
  let log: SagaLog;
  try {
    log = SagaLog.open(file, { readonly: true });
  } catch (err) {
    if (err instanceof SagaLogError && err.code === 'missing') throw new UsageError(`diag: ${err.message}; diag never creates a log`);
    throw err;
  }
  try {
    const { readable: summaries, unreadable } = sortSummaries(log.recent({ limit, state }));
    const steps = log.stepsOf(summaries.map((s) => s.sagaId));
    const recovery = log.readRecoveryReports(1);
    return {
      file,
      schemaVersion: log.fileVersion,
      readOnlyReason: log.fileVersion > log.buildVersion ? log.readOnlyReason : null,
      filter: { state: state ?? null, limit },
      counts: {
        failedCompensation: log.countInState('failed_compensation'),
        unresolved: log.countInState('running') + log.countInState('compensating'),
      },
      latestRecovery: recovery.reports[0] ?? null,
      sagas: summaries.map((s) => ({ ...s, steps: steps.get(s.sagaId) ?? [] })),
      unreadable: { sagas: unreadable, latestRecovery: recovery.unreadable[0] ?? null },
    };
  } finally {
    log.close();
  }
}

function durationOf(s: { startedAt: string; endedAt: string | null }): string {
  if (s.endedAt === null) return '-';
  const ms = Date.parse(s.endedAt) - Date.parse(s.startedAt);
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

export function formatDiag(doc: DiagDocument): string {
  const lines: string[] = [];
  lines.push(`saga log ${doc.file} (schema version ${doc.schemaVersion})`);
  if (doc.readOnlyReason) lines.push(`note: ${doc.readOnlyReason}`);
  lines.push(
    `${doc.counts.failedCompensation} failed_compensation, ${doc.counts.unresolved} unresolved; showing ${doc.sagas.length} most recent${doc.filter.state ? ` in state ${doc.filter.state}` : ''}`,
  );
  const bad = doc.unreadable.latestRecovery;
  if (bad) lines.push(`latest recovery: report ${bad.reportId} (boot ${bad.bootId ?? '?'} at ${bad.startedAt ?? '?'}) is unreadable: ${bad.why}`);
  const r = doc.latestRecovery;
  if (r) {
    lines.push(`latest recovery: boot ${r.bootId} at ${r.startedAt} marked ${r.marked.length} saga(s) failed_compensation`);
    for (const m of r.movedAside) lines.push(`  moved aside: ${m.from} -> ${m.to} (${m.reason})`);
  }
  // Newest first, unreadable rows where their ids put them.
  const entries = [
    ...doc.sagas.map((s) => ({ id: s.sagaId, saga: s as DiagSaga | null, why: '' })),
    ...doc.unreadable.sagas.map((u) => ({ id: u.sagaId, saga: null, why: u.why })),
  ].sort((a, b) => b.id - a.id);
  for (const { id, saga: s, why: unreadableWhy } of entries) {
    lines.push('');
    if (s === null) {
      lines.push(`#${id} unreadable: ${unreadableWhy}`);
      continue;
    }
    const progress = `${s.progressedSteps}/${s.plannedSteps ?? '?'} steps`;
    lines.push(`#${s.sagaId} ${s.name} ${s.state}  started ${s.startedAt}  ended ${s.endedAt ?? '-'} (${durationOf(s)})  ${progress}`);
    if (s.failureReason) lines.push(`  reason: ${s.failureReason}`);
    if (s.review) lines.push(`  reviewed by ${s.review.reviewedBy} at ${s.review.reviewedAt}: ${s.review.note}`);
    for (const st of s.steps) {
      const role = st.compensatesIndex === null ? '' : ` (undoes step ${st.compensatesIndex})`;
      const gen = st.peerGeneration === null ? '' : ` gen ${st.peerGeneration}`;
      const inFlight = st.state === 'pending' && s.state !== 'running' && s.state !== 'compensating' ? '  <- in flight at interruption, outcome unknown' : '';
      const why = st.failureReason ? `: ${st.failureReason}` : '';
      lines.push(`  ${String(st.stepIndex).padStart(2)} ${st.name} [${st.target ?? '-'}${gen}] ${st.state}${role}${why}${inFlight}`);
    }
  }
  // Every line holds text from the log: each is made terminal-safe as a whole.
  return `${lines.map(visible).join('\n')}\n`;
}

export async function runDiag(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    'diag',
    argv,
    { db: { type: 'string' }, json: { type: 'boolean' }, state: { type: 'string' }, limit: { type: 'string' } },
    DiagArgs,
  );
  const doc = readDiag(args.db, args.state, args.limit ?? 50);
  process.stdout.write(args.json ? `${terminalSafeJson(JSON.stringify(doc, null, 2))}\n` : formatDiag(doc));
  return 0;
}
