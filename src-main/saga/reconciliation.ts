// Reconciliation after recovery: main asks each peer, read-only and with a deadline, which of the
// steps recovery left in flight it holds receipts for, and records the answer on the step row.
// Nothing is re-sent and no saga changes state: this module sees the receipt port, never the router.
import type { ReconciledAnswer } from '../../src-shared/saga-model';
import { crashPoint } from './crash-points';
import { yieldToEventLoop } from './log/budgeted-batch';
import type { ReconciledStep, SagaLog, StepToReconcile } from './log/saga-log';
import type { SagaEvents } from './saga-events';
import { provenByLog } from './log-proof';
import { toLogJson } from './redaction';
import type { PeerTarget } from './step-failure';

export interface StepRef {
  sagaId: number;
  stepIndex: number;
}

/** One receipt as a peer reports it to reconciliation. */
export interface PeerReceipt extends StepRef {
  attempt: number;
  op: string;
  outcome: 'succeeded' | 'failed';
  /** `atomic`: recorded in the effect's own transaction; `after_effect`: recorded just after it. */
  durability: 'atomic' | 'after_effect';
  recordedAt: string;
  /** An applied step's output as JSON, when the peer kept and sent it; "compensate now" builds the undo from it. */
  outputJson: string | null;
}

export type ReceiptsAnswer =
  | {
      ok: true;
      /** Who answered, e.g. "peer srv generation 1". */
      source: string;
      /** When the peer's receipt store was created: a step sent before then cannot have a receipt in it. */
      storeCreatedAt: string;
      /** Why the store is not the one earlier launches wrote (moved aside as damaged, say), or null. */
      note: string | null;
      /** Ops whose receipts this peer records in the same transaction as their effect. */
      atomicOps: readonly string[];
      receipts: PeerReceipt[];
    }
  | { ok: false; source: string; why: string };

/** What main's peer supervisor offers reconciliation: a read-only question, never a request. */
export interface ReceiptPort {
  readonly targets: readonly PeerTarget[];
  /** Never rejects: no answer, a late one or garbage is `ok: false` with why. */
  receipts(target: PeerTarget, steps: readonly StepRef[], deadlineMs: number): Promise<ReceiptsAnswer>;
}

export interface ReconciliationReport {
  /** Steps asked about (or answered by main itself). */
  asked: number;
  /** Steps whose recorded answer changed (an unchanged `unknown` is not written again). */
  recorded: number;
  answers: Record<ReconciledAnswer, number>;
  durationMs: number;
  /** Why reconciliation did not run (a read-only log), or null. */
  skipped: string | null;
}

export const DEFAULT_RECONCILE_DEADLINE_MS = 5000;
/** Steps per question, so one message stays well inside what the channel carries comfortably. */
const CHUNK = 5000;
/** Steps read from the log per call. */
const READ_PAGE = 200;
/** Answers recorded per transaction: about a millisecond of main's time each. */
const RECORD_SLICE = 100;

interface Verdict {
  answer: ReconciledAnswer;
  why: string;
  source: string;
  /** An applied step's output from its receipt, as the peer sent it (not yet redacted). */
  outputJson?: string | null;
}

const key = (r: StepRef) => `${r.sagaId}:${r.stepIndex}`;

/** Appends to the list under `k`, creating it: grouping without copying the list on every push. */
function pushTo<K, V>(map: Map<K, V[]>, k: K, v: V): void {
  const list = map.get(k);
  if (list) list.push(v);
  else map.set(k, [v]);
}

/** Pure: what one peer's answer says about each step it was asked about. */
export function judge(steps: readonly StepToReconcile[], answer: ReceiptsAnswer): Verdict[] {
  const unknown = (why: string): Verdict => ({ answer: 'unknown', why, source: answer.source });
  if (!answer.ok) return steps.map(() => unknown(answer.why));
  const asked = new Set(steps.map(key));
  const stray = answer.receipts.find((r) => !asked.has(key(r)));
  // A peer that answers about steps it was not asked about is not answering this question.
  if (stray) return steps.map(() => unknown(`the peer answered about saga ${stray.sagaId} step ${stray.stepIndex}, which it was not asked about`));
  const byStep = new Map<string, PeerReceipt[]>();
  for (const r of answer.receipts) pushTo(byStep, key(r), r);
  const atomic = new Set(answer.atomicOps);
  return steps.map((st) => {
    const receipts = byStep.get(key(st)) ?? [];
    const applied = receipts.find((r) => r.outcome === 'succeeded');
    if (applied) {
      const how = applied.durability === 'atomic' ? 'recorded with its effect' : 'recorded just after its effect';
      return {
        answer: 'applied',
        why: `the peer holds a receipt for '${applied.op}' (attempt ${applied.attempt}, ${how}, at ${applied.recordedAt})`,
        source: answer.source,
        outputJson: applied.outputJson,
      };
    }
    if (answer.storeCreatedAt > st.startedAt) {
      const note = answer.note === null ? 'missing when the peer started' : answer.note;
      return unknown(`the peer's receipt store was created at ${answer.storeCreatedAt}, after this step was sent (${note}), so its receipt could be lost`);
    }
    const op = st.op ?? 'its op';
    if (st.op !== null && atomic.has(st.op)) {
      const failedOne = receipts.find((r) => r.outcome === 'failed');
      return {
        answer: 'not_applied',
        why: failedOne
          ? `the peer ran '${op}' and it failed; its receipts commit with its effect, so nothing was applied`
          : `the peer records '${op}' receipts in the same transaction as its effect and holds none for this step`,
        source: answer.source,
      };
    }
    return unknown(`the peer records '${op}' receipts just after the effect and holds none for this step: a crash between the two leaves none`);
  });
}

function sentenceFor(st: StepToReconcile, v: Verdict): string {
  const what = v.answer === 'applied' ? 'applied' : v.answer === 'not_applied' ? 'not applied' : 'still unknown';
  return `reconciliation: step ${st.stepIndex} '${st.stepName}' on ${st.target ?? 'an unknown target'} was ${what} (${v.why}; ${v.source})`;
}

/**
 * A receipt showing a step applied can complete what the log proves (every step done, only the
 * terminal write lost): the saga's last new sentence then says so, as recovery's would have.
 */
function appendProofs(log: SagaLog, changed: ReconciledStep[]): void {
  const bySaga = new Map<number, ReconciledStep[]>();
  for (const c of changed) pushTo(bySaga, c.sagaId, c);
  for (const [sagaId, ofSaga] of bySaga) {
    // Only an `applied` answer can complete a proof recovery could not make.
    const last = ofSaga.findLast((c) => c.answer === 'applied');
    if (!last) continue;
    const saga = log.saga(sagaId);
    if (!saga) continue;
    const answered = new Map(ofSaga.map((c) => [c.stepIndex, c]));
    const steps = saga.steps.map((s) => {
      const a = answered.get(s.stepIndex);
      return a ? { ...s, reconciliation: { answer: a.answer, why: a.why, source: a.source, at: s.startedAt } } : s;
    });
    const proof = provenByLog(steps, saga.plannedSteps);
    if (proof) last.sentence = `${last.sentence}; ${proof.why}`;
  }
}

export interface ReconcileOptions {
  /** How long each peer has to answer. */
  deadlineMs?: number;
  events?: SagaEvents;
  /**
   * The fields a saga marks sensitive, by saga name; null for a saga this app does not define. An
   * applied step's output is recorded only when this says how to redact it, so no secret reaches the log.
   */
  sensitiveFields?: (sagaName: string) => readonly string[] | null;
}

/** The receipt's output as the log keeps it: redacted like any output, or null when it cannot be. */
function outputForLog(outputJson: string | null | undefined, fields: readonly string[] | null): string | null {
  if (outputJson === null || outputJson === undefined || fields === null) return null;
  try {
    return toLogJson(JSON.parse(outputJson) as unknown, fields);
  } catch {
    return null;
  }
}

/**
 * Asks the peers about every step recovery left in flight (and still-unknown ones from earlier
 * launches), then records the answers in one transaction. Never re-sends, never changes a saga's state.
 */
export async function reconcile(log: SagaLog, port: ReceiptPort, options: ReconcileOptions = {}): Promise<ReconciliationReport> {
  const t0 = performance.now();
  const answers: Record<ReconciledAnswer, number> = { applied: 0, not_applied: 0, unknown: 0 };
  if (!log.writable) return { asked: 0, recorded: 0, answers, durationMs: 0, skipped: `the log takes no writes: ${log.readOnlyReason}` };
  const steps: StepToReconcile[] = [];
  // A page at a time with a turn between: reading and shaping 1,000 rows in one call held main 8 ms.
  for (let page = log.stepsToReconcile(null, READ_PAGE); ; page = log.stepsToReconcile(steps.at(-1)!, READ_PAGE)) {
    steps.push(...page);
    if (page.length < READ_PAGE) break;
    await yieldToEventLoop();
  }
  const verdicts = new Map<StepToReconcile, Verdict>();
  const byPeer = new Map<PeerTarget, StepToReconcile[]>();
  for (const st of steps) {
    if (st.target === 'host' || st.target === 'srv') {
      if (port.targets.includes(st.target)) pushTo(byPeer, st.target, st);
      else verdicts.set(st, { answer: 'unknown', why: `no ${st.target} peer runs in this launch to ask`, source: 'main' });
    } else {
      verdicts.set(st, { answer: 'unknown', why: 'the step ran in main, which keeps no receipts; check its effect by hand', source: 'main' });
    }
  }
  const deadlineMs = options.deadlineMs ?? DEFAULT_RECONCILE_DEADLINE_MS;
  await Promise.all(
    [...byPeer.entries()].map(async ([target, asked]) => {
      for (let i = 0; i < asked.length; i += CHUNK) {
        const chunk = asked.slice(i, i + CHUNK);
        const answer = await port.receipts(target, chunk.map((s) => ({ sagaId: s.sagaId, stepIndex: s.stepIndex })), deadlineMs);
        judge(chunk, answer).forEach((v, j) => verdicts.set(chunk[j]!, v));
      }
    }),
  );
  // Test-only: every answer is in, none is recorded (inert unless LAUNCHER_CRASH_AT names the step).
  for (const st of verdicts.keys()) crashPoint(st.sagaName, st.stepIndex, 'reconcile_answered');
  const changed: ReconciledStep[] = [];
  for (const [st, v] of verdicts) {
    answers[v.answer] += 1;
    // The same answer for the same reason is not written again: a later launch changes nothing it already said.
    if (st.previous?.answer === v.answer && st.previous.why === v.why) continue;
    const outputJson = v.answer === 'applied' ? outputForLog(v.outputJson, options.sensitiveFields?.(st.sagaName) ?? null) : null;
    changed.push({ sagaId: st.sagaId, stepIndex: st.stepIndex, answer: v.answer, why: v.why, source: v.source, outputJson, sentence: sentenceFor(st, v) });
  }
  appendProofs(log, changed);
  const names = new Map(steps.map((s) => [s.sagaId, s.sagaName]));
  // Recorded in slices, each its own transaction with a turn of the event loop between, so a
  // thousand answers never hold main (and every window's IPC) at once. Each answer stands alone:
  // a crash between slices leaves the rest unrecorded, and the next launch asks about them again.
  for (let i = 0; i < changed.length; i += RECORD_SLICE) {
    if (i > 0) await yieldToEventLoop();
    const sagaIds = log.recordReconciliation(changed.slice(i, i + RECORD_SLICE));
    for (const sagaId of sagaIds) options.events?.emit({ sagaId, name: names.get(sagaId) ?? '', state: 'failed_compensation', stepIndex: null });
  }
  return { asked: steps.length, recorded: changed.length, answers, durationMs: performance.now() - t0, skipped: null };
}
