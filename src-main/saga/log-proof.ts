// What the log proves about an interrupted saga. Recovery marks every interrupted saga
// failed_compensation; for two shapes the rows themselves show that nothing is left to undo and
// only the terminal write was lost, so an operator can close the case without touching a target.
// A step left in flight counts as done when reconciliation recorded its peer's receipt for it.
import type { ProvenOutcome, StepRecord } from '../../src-shared/saga-model';

export interface LogProof {
  outcome: ProvenOutcome;
  /** Plain words for the reason and the panel's offer. */
  why: string;
}

/** A forward step that may still need an undo: compensatable, or of unknown kind (rows written before kinds). */
function mayNeedUndo(step: StepRecord): boolean {
  return step.kind !== 'read_only' && step.kind !== 'final';
}

/** A row as the proof reads it: a pending one its peer's receipt shows applied counts as succeeded. */
function settled(step: StepRecord): StepRecord['state'] {
  return step.state === 'pending' && step.reconciliation?.answer === 'applied' ? 'succeeded' : step.state;
}

/** ", with the peer's receipt for step 3 'publish_workspace'," when receipts settled a row, else "". */
function byReceipts(steps: readonly StepRecord[]): string {
  const rows = steps.filter((s) => s.state === 'pending');
  if (rows.length === 0) return '';
  const list = rows.map((s) => `step ${s.stepIndex} '${s.name}'`).join(' and ');
  return `, with the peer's receipt${rows.length === 1 ? '' : 's'} for ${list},`;
}

/**
 * `completed` when every planned forward step succeeded and nothing is in flight; `failed` when a
 * forward step failed, every undo that was recorded succeeded, nothing is in flight, and no
 * succeeded step is left that an undo would have to put back. Otherwise null: the log cannot say.
 */
export function provenByLog(steps: readonly StepRecord[], plannedSteps: number | null): LogProof | null {
  if (steps.some((s) => settled(s) === 'pending')) return null;
  const forward = steps.filter((s) => s.compensatesIndex === null);
  const undos = steps.filter((s) => s.compensatesIndex !== null);
  const failedForward = forward.find((s) => s.state === 'failed');
  const the = `the log${byReceipts(steps)}`;
  if (failedForward === undefined) {
    if (plannedSteps === null || forward.length !== plannedSteps || undos.length > 0) return null;
    if (!forward.every((s) => settled(s) === 'succeeded')) return null;
    return {
      outcome: 'completed',
      why: `${the} shows all ${plannedSteps} steps succeeded and only the write that ends the saga was lost: nothing needs undoing, it can be resolved as completed`,
    };
  }
  if (undos.some((u) => settled(u) !== 'succeeded')) return null;
  // An undo its receipt shows applied has not marked its step compensated yet: count it as if it had.
  const undoneByReceipt = new Set(undos.filter((u) => u.state === 'pending').map((u) => u.compensatesIndex));
  const undone = forward.filter((s) => s.state === 'compensated' || undoneByReceipt.has(s.stepIndex)).length;
  if (forward.some((s) => s.state === 'succeeded' && !undoneByReceipt.has(s.stepIndex) && mayNeedUndo(s))) return null;
  return {
    outcome: 'failed',
    why:
      `${the} shows step ${failedForward.stepIndex} '${failedForward.name}' failed and ` +
      (undone === 0 ? 'no earlier step needed an undo' : undone === 1 ? 'its one undo succeeded' : `all ${undone} undos succeeded`) +
      `, and only the write that ends the saga was lost: nothing needs undoing, it can be resolved as failed`,
  };
}
