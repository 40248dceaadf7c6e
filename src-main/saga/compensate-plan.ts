// What "compensate now" will do to a failed_compensation saga, decided from its log rows before
// anything is written: which forward steps to undo (newest first), with undo commands built by the
// definition's `compensate(command, output)` from the stored command and output, and which steps
// left in flight stand in the way. Pure, so a refusal provably writes nothing.
import type { InFlightOutcome, SagaDetail, StepRecord } from '../../src-shared/saga-model';
import { errorMessage } from './command';
import type { Command } from './command';
import type { SagaDefinition, StepDefinition } from './define-saga';
import { OperatorActionError } from './operator-errors';
import { REDACTED } from './redaction';

/** What is known of a step left in flight (a `pending` row). */
export type InFlightOutcomes = (step: StepRecord) => InFlightOutcome;
/** The default: what reconciliation recorded on the row from the peer's receipts; not asked yet is `unknown`. */
export const FROM_RECONCILIATION: InFlightOutcomes = (step) => step.reconciliation?.answer ?? 'unknown';

export interface PlannedUndo {
  /** The forward step undone. */
  index: number;
  step: StepDefinition<unknown>;
  command: Command;
  /** A pending forward row its peer confirmed applied: recorded succeeded, with the output its receipt held, before its undo. */
  confirmApplied: boolean;
  /** The output the undo was built from (the row's, or for a confirmed in-flight step its receipt's); null when none is known. */
  outputJson: string | null;
}

export interface CompensatePlan {
  /** Newest first. */
  undos: PlannedUndo[];
  /** Pending undo rows whose peer confirmed them applied: recorded done without sending anything. */
  undoneAlready: number[];
  /** In-flight rows whose outcome nobody knows (the operator confirmed them, or the plan was refused). */
  unknown: StepRecord[];
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function redactedFields(command: Command): string[] {
  return Object.entries(command).flatMap(([k, v]) => (v === REDACTED ? [k] : []));
}

export function planCompensation(
  def: SagaDefinition<unknown>,
  saga: SagaDetail,
  outcomes: InFlightOutcomes,
  confirmUnknown: boolean,
  build: (step: StepDefinition<unknown>, built: unknown) => Command,
): CompensatePlan {
  const rows = saga.steps;
  const forward = new Map(rows.filter((s) => s.compensatesIndex === null).map((s) => [s.stepIndex, s]));
  // Past a final step there is no way back: undoing the steps before it would leave, say, a
  // published workspace with no session. The saga did its work; resolve it or repair by hand.
  const finalDone = [...forward.values()].find(
    (s) => s.kind === 'final' && (s.state === 'succeeded' || (s.state === 'pending' && outcomes(s) === 'applied')),
  );
  if (finalDone) {
    const how = finalDone.state === 'succeeded' ? 'succeeded' : "was applied (its peer's receipt says so)";
    throw new OperatorActionError(
      'final_applied',
      `saga ${saga.sagaId} was not compensated: step ${finalDone.stepIndex} '${finalDone.name}' is final and ${how}, so the steps before it stay as they are; resolve it if the log proves how it ended, or repair by hand and review; nothing was written`,
    );
  }
  const unknown: StepRecord[] = [];
  const undoneAlready: number[] = [];
  const toUndo: { row: StepRecord; confirmApplied: boolean }[] = [];
  for (const row of rows.filter((s) => s.state === 'pending')) {
    const outcome = outcomes(row);
    if (outcome === 'unknown') unknown.push(row);
    if (row.compensatesIndex === null) {
      if (outcome === 'applied') toUndo.push({ row, confirmApplied: true });
    } else if (outcome === 'applied') {
      undoneAlready.push(row.stepIndex);
    }
    // An undo not applied (or checked by hand) left its step `succeeded`: it is undone again below.
  }
  if (unknown.length > 0 && !confirmUnknown) {
    const list = unknown.map((s) => `step ${s.stepIndex} '${s.name}' (target ${s.target ?? 'unknown'})`).join(', ');
    throw new OperatorActionError(
      'unknown_outcome',
      `saga ${saga.sagaId} was not compensated: the outcome of ${list} is unknown; check ${unknown.length === 1 ? 'it' : 'them'} by hand and confirm, and nothing was written`,
    );
  }
  const covered = new Set(undoneAlready.map((i) => rows.find((r) => r.stepIndex === i)!.compensatesIndex));
  for (const row of forward.values()) {
    if (row.state === 'succeeded' && row.kind !== 'read_only' && row.kind !== 'final' && !covered.has(row.stepIndex)) toUndo.push({ row, confirmApplied: false });
  }
  const undos: PlannedUndo[] = [];
  for (const { row, confirmApplied } of toUndo.sort((a, b) => b.row.stepIndex - a.row.stepIndex)) {
    const step = def.steps[row.stepIndex];
    if (!step || step.name !== row.name) {
      throw new OperatorActionError('unknown_saga', `saga ${saga.sagaId}: step ${row.stepIndex} '${row.name}' is not in this app's definition of '${def.name}'; nothing was written`);
    }
    if (step.kind !== 'compensatable' || !step.compensate) continue;
    let command: Command;
    try {
      command = build(step, step.compensate(parseJson(row.cmdJson) as Command, parseJson(row.outputJson)));
    } catch (err) {
      throw new OperatorActionError('undo_unbuildable', `saga ${saga.sagaId}: the undo of step ${row.stepIndex} '${row.name}' cannot be built from what the log holds (${errorMessage(err)}); nothing was written`);
    }
    const redacted = redactedFields(command);
    if (redacted.length > 0) {
      throw new OperatorActionError(
        'redacted_field',
        `saga ${saga.sagaId}: the undo of step ${row.stepIndex} '${row.name}' needs ${redacted.join(', ')}, which the log holds only as ${REDACTED}; undo it by hand, and nothing was written`,
      );
    }
    undos.push({ index: row.stepIndex, step, command, confirmApplied, outputJson: row.outputJson });
  }
  return { undos, undoneAlready, unknown };
}
