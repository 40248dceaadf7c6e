// The operator's actions that need no peer: resolving a saga the log proves needs no undo, and
// reviewing everything one launch's recovery marked with one note. "Compensate now" sends undos,
// so it lives on the coordinator (compensateFromLog).
import { z } from 'zod';
import type { ProvenOutcome } from '../../src-shared/saga-model';
import { describeZodIssue } from '../../src-shared/zod-issue';
import { SagaInputError } from './coordinator';
import type { SagaLog } from './log/saga-log';
import { provenByLog } from './log-proof';
import { OperatorActionError } from './operator-errors';
import type { SagaEvents } from './saga-events';

/** The same bound as a review note in the panel's contract. */
export const OperatorNote = z.string().trim().min(1, 'an operator action needs a note').max(1000);

export function parseNote(note: unknown): string {
  const parsed = OperatorNote.safeParse(note);
  if (!parsed.success) throw new SagaInputError(`invalid note: ${describeZodIssue(parsed.error)}`);
  return parsed.data;
}

export interface ResolveOutcome {
  sagaId: number;
  state: ProvenOutcome;
  failureReason: string;
}

/** Ends a failed_compensation saga `completed` or `failed`, as its log rows prove; refused otherwise, nothing written. */
export function resolveFromLog(log: SagaLog, events: SagaEvents, sagaId: number, operator: string, rawNote: unknown): ResolveOutcome {
  const note = parseNote(rawNote);
  if (!log.writable) throw new OperatorActionError('read_only', `saga ${sagaId} was not resolved: ${log.readOnlyReason}`);
  const saga = log.saga(sagaId);
  if (!saga) throw new OperatorActionError('not_found', `there is no saga ${sagaId} in the log`);
  if (saga.state === 'compensating') throw new OperatorActionError('being_compensated', `saga ${sagaId} is being compensated; nothing was written`);
  if (saga.state !== 'failed_compensation') {
    throw new OperatorActionError('wrong_state', `saga ${sagaId} is ${saga.state}; only a failed_compensation saga can be resolved, and nothing was written`);
  }
  const proof = provenByLog(saga.steps, saga.plannedSteps);
  if (!proof) {
    throw new OperatorActionError('not_proven', `saga ${sagaId}: the log does not prove that nothing needs undoing (a step is in flight, failed to undo, or still applied); nothing was written`);
  }
  const reason = `${saga.failureReason ?? 'reason not recorded'}; then: resolved as ${proof.outcome} by ${operator} (${note}), because ${proof.why}`;
  log.resolveFromLog(sagaId, proof.outcome, reason, operator, note);
  events.emit({ sagaId, name: saga.name, state: proof.outcome, stepIndex: null });
  return { sagaId, state: proof.outcome, failureReason: reason };
}

export interface ReviewRecoveryOutcome {
  bootId: string;
  /** The sagas this review marked (those still failed_compensation and unreviewed). */
  reviewed: number[];
  /** Marked by that recovery but not reviewed now: reviewed before, resolved, compensated or pruned. */
  skipped: number[];
}

/** Reviews every saga one launch's recovery marked, with one note, in one transaction. */
export function reviewRecovery(log: SagaLog, events: SagaEvents, bootId: string, operator: string, rawNote: unknown): ReviewRecoveryOutcome {
  const note = parseNote(rawNote);
  if (!log.writable) throw new OperatorActionError('read_only', `nothing was reviewed: ${log.readOnlyReason}`);
  const report = log.readRecoveryReports(1, bootId).reports[0];
  if (!report) throw new OperatorActionError('not_found', `there is no readable recovery report of launch ${bootId.slice(0, 64)}`);
  const ids = report.marked.map((m) => m.sagaId);
  const reviewed = log.markReviewedMany(ids, operator, note);
  const done = new Set(reviewed);
  for (const m of report.marked) if (done.has(m.sagaId)) events.emit({ sagaId: m.sagaId, name: m.name, state: 'failed_compensation', stepIndex: null });
  return { bootId, reviewed, skipped: ids.filter((id) => !done.has(id)) };
}
