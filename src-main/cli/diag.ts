// `launcher-saga diag`: the operator's terminal view of a saga log. Opens the file read-only
// and never creates it, so pointing it at the wrong path cannot damage anything.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { type BoundedText, LIMITS } from '../../src-shared/ipc-contract';
import {
  SagaState,
  type RecoveryReport,
  type SagaSummary,
  type StepRecord,
  type UnreadableRecoveryReport,
  type UnreadableSaga,
} from '../../src-shared/saga-model';
import { boundText } from '../ipc/bounds';
import { sortSummaries } from '../saga/log/readable-rows';
import { LOG_FILE_NAME, SagaLog } from '../saga/log/saga-log';
import { terminalSafeJson, visible } from './terminal-text';
import { SagaLogError } from '../saga/log/errors';
import { SagaEvents } from '../saga/saga-events';
import { createSagaHandlers } from '../ipc/saga-handlers';
import { intOption, parseCommandArgs } from './args';
import { formatCommandHelp, wantsHelp } from './help';
import { UsageError } from './usage-error';

const DiagArgs = z.object({
  db: z.string({ error: 'is required' }).min(1),
  json: z.boolean().optional(),
  state: SagaState.optional(),
  unreviewed: z.boolean().optional(),
  limit: intOption(1, 10_000).optional(),
  saga: intOption(1, Number.MAX_SAFE_INTEGER).optional(),
});

export interface DiagSaga extends SagaSummary {
  /** The saga's input as stored (sensitive fields were redacted before it was written), cut like the panel's. */
  input: BoundedText;
  steps: StepRecord[];
}

export interface DiagDocument {
  file: string;
  schemaVersion: number;
  readOnlyReason: string | null;
  /** Why a launch would refuse to upgrade this file (each names a table and column); empty when it would not. */
  schemaConflicts: string[];
  filter: { state: SagaState | null; unreviewed: boolean; limit: number };
  counts: { failedCompensation: number; unresolved: number };
  latestRecovery: RecoveryReport | null;
  sagas: DiagSaga[];
  /** Rows shown as unreadable, with why, instead of failing the whole view. */
  unreadable: { sagas: UnreadableSaga[]; latestRecovery: UnreadableRecoveryReport | null };
}

function openForDiag(file: string): SagaLog {
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    // The profile folder instead of the log in it: say which file to give.
    const inside = path.join(file, LOG_FILE_NAME);
    const hint = fs.existsSync(inside) ? `; did you mean --db ${inside}?` : `; the log is the ${LOG_FILE_NAME} file in a profile folder, and ${file} has none`;
    throw new UsageError(`diag: ${file} is a folder, not a saga log${hint}`);
  }
  try {
    return SagaLog.open(file, { readonly: true });
  } catch (err) {
    if (err instanceof SagaLogError && err.code === 'missing') throw new UsageError(`diag: ${err.message}; diag never creates a log`);
    throw err;
  }
}

/**
 * One saga, or one launch's recovery report, as the panel's export: the same bounded, redacted
 * document its "Export JSON" button saves.
 */
export async function exportJson(file: string, which: { sagaId: number } | { bootId: string }): Promise<unknown> {
  const log = openForDiag(file);
  try {
    const handlers = createSagaHandlers({ log, events: new SagaEvents(), reviewer: 'diag' });
    const answer = await handlers.handle('saga:export', which, { trusted: true });
    if (!answer.ok) {
      if (answer.error.code === 'not_found') throw new UsageError(`diag: ${answer.error.message}`);
      throw new Error(`diag: ${answer.error.message}`);
    }
    return answer.data;
  } finally {
    log.close();
  }
}

/** Filters that cannot go together, refused before the file is opened. */
function checkFilters(state: SagaState | undefined, unreviewed: boolean, sagaId: number | undefined): void {
  if (unreviewed && state !== undefined && state !== 'failed_compensation') {
    throw new UsageError(`diag: --unreviewed lists failed_compensation sagas; it cannot be combined with --state ${state}`);
  }
  if (sagaId !== undefined && (unreviewed || state !== undefined)) {
    throw new UsageError('diag: --saga shows one saga; it cannot be combined with --state or --unreviewed');
  }
}

export function readDiag(file: string, state: SagaState | undefined, limit: number, unreviewed = false, sagaId?: number): DiagDocument {
  checkFilters(state, unreviewed, sagaId);
  const log = openForDiag(file);
  try {
    const { readable: summaries, unreadable } = sortSummaries(
      sagaId !== undefined
        ? log.summariesOf([sagaId])
        : unreviewed
          ? log.recent({ limit, state: 'failed_compensation', hideReviewed: true })
          : log.recent({ limit, state }),
    );
    if (sagaId !== undefined && summaries.length + unreadable.length === 0) throw new UsageError(`diag: there is no saga ${sagaId} in ${file}`);
    const ids = summaries.map((s) => s.sagaId);
    const steps = log.stepsOf(ids);
    const inputs = new Map(ids.map((id) => [id, log.saga(id)?.inputJson ?? '']));
    const recovery = log.readRecoveryReports(1);
    return {
      file,
      schemaVersion: log.fileVersion,
      readOnlyReason: log.fileVersion > log.buildVersion ? log.readOnlyReason : null,
      schemaConflicts: log.fileVersion > log.buildVersion ? [] : [...log.schemaConflicts],
      filter: { state: unreviewed ? 'failed_compensation' : (state ?? null), unreviewed, limit },
      counts: {
        failedCompensation: log.countInState('failed_compensation'),
        unresolved: log.countInState('running') + log.countInState('compensating'),
      },
      latestRecovery: recovery.reports[0] ?? null,
      sagas: summaries.map((s) => ({ ...s, input: boundText(inputs.get(s.sagaId) ?? '', LIMITS.inputBytes), steps: steps.get(s.sagaId) ?? [] })),
      unreadable: { sagas: unreadable, latestRecovery: recovery.unreadable[0] ?? null },
    };
  } finally {
    log.close();
  }
}

function msText(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/** An interrupted saga's end is the relaunch: it ran at least until its last step activity. */
function durationOf(s: SagaSummary): string {
  if (s.state === 'failed_compensation' && (s.failureReason ?? '').startsWith('interrupted')) {
    const ran = s.lastActivityAt === null ? 0 : Date.parse(s.lastActivityAt) - Date.parse(s.startedAt);
    return `ran at least ${msText(Math.max(0, ran))}, interrupted`;
  }
  if (s.endedAt === null) return '-';
  return msText(Date.parse(s.endedAt) - Date.parse(s.startedAt));
}

/** Times in UTC, saying so, as the panel shows on hover. */
function utc(iso: string | null): string {
  if (iso === null) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`;
}

/** The input on one line, cut for the terminal; --json carries the bounded text. */
function inputLine(input: BoundedText): string {
  const flat = input.text.replace(/\s+/g, ' ');
  const cut = flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
  return input.truncated || cut !== flat ? `${cut} (${input.fullSize} bytes in full)` : cut;
}

export function formatDiag(doc: DiagDocument): string {
  const lines: string[] = [];
  lines.push(`saga log ${doc.file} (schema version ${doc.schemaVersion})`);
  if (doc.readOnlyReason) lines.push(`note: ${doc.readOnlyReason}`);
  if (doc.schemaConflicts.length > 0) {
    lines.push(`note: a launch refuses this file, since this build cannot upgrade it: ${doc.schemaConflicts.join('; ')}`);
  }
  const which = doc.filter.unreviewed ? ' unreviewed failed_compensation' : doc.filter.state ? ` in state ${doc.filter.state}` : '';
  lines.push(
    `${doc.counts.failedCompensation} failed_compensation, ${doc.counts.unresolved} unresolved; showing ${doc.sagas.length} most recent${which}`,
  );
  const bad = doc.unreadable.latestRecovery;
  if (bad) lines.push(`latest recovery: report ${bad.reportId} (boot ${bad.bootId ?? '?'} at ${bad.startedAt ?? '?'}) is unreadable: ${bad.why}`);
  const r = doc.latestRecovery;
  if (r) {
    lines.push(`latest recovery: boot ${r.bootId} at ${utc(r.startedAt)} marked ${r.marked.length} saga(s) failed_compensation`);
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
    lines.push(`#${s.sagaId} ${s.name} ${s.state}  started ${utc(s.startedAt)}  ended ${utc(s.endedAt)} (${durationOf(s)})  ${progress}`);
    lines.push(`  input: ${inputLine(s.input)}`);
    if (s.failureReason) lines.push(`  reason: ${s.failureReason}`);
    if (s.review) lines.push(`  reviewed by ${s.review.reviewedBy} at ${utc(s.review.reviewedAt)}: ${s.review.note}`);
    for (const st of s.steps) {
      const role = st.compensatesIndex === null ? '' : ` (undoes step ${st.compensatesIndex})`;
      const gen = st.peerGeneration === null ? '' : ` gen ${st.peerGeneration}`;
      const inFlight = st.state === 'pending' && s.state !== 'running' && s.state !== 'compensating' ? '  <- in flight at interruption, outcome unknown' : '';
      const why = st.failureReason ? `: ${st.failureReason}` : '';
      lines.push(`  ${String(st.stepIndex).padStart(2)} ${st.name} [${st.target ?? '-'}${gen}] ${st.state}${role}${why}${inFlight}`);
      const rec = st.reconciliation;
      if (rec) lines.push(`     reconciled: ${rec.answer.replace('_', ' ')} (${rec.why}; ${rec.source}, ${utc(rec.at)})`);
    }
  }
  // Every line holds text from the log: each is made terminal-safe as a whole.
  return `${lines.map(visible).join('\n')}\n`;
}

export async function runDiag(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(formatCommandHelp('diag'));
    return 0;
  }
  const args = parseCommandArgs(
    'diag',
    argv,
    { db: { type: 'string' }, json: { type: 'boolean' }, state: { type: 'string' }, unreviewed: { type: 'boolean' }, limit: { type: 'string' }, saga: { type: 'string' } },
    DiagArgs,
  );
  if (args.json && args.saga !== undefined) {
    // The export reads the file itself: the diag document is not built only to be thrown away.
    checkFilters(args.state, args.unreviewed === true, args.saga);
    process.stdout.write(`${terminalSafeJson(JSON.stringify(await exportJson(args.db, { sagaId: args.saga }), null, 2))}\n`);
    return 0;
  }
  const doc = readDiag(args.db, args.state, args.limit ?? 50, args.unreviewed === true, args.saga);
  process.stdout.write(args.json ? `${terminalSafeJson(JSON.stringify(doc, null, 2))}\n` : formatDiag(doc));
  return 0;
}
