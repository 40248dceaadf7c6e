// What the log alone proves about an interrupted saga. Recovery marks every interrupted saga
// failed_compensation; for two shapes the rows themselves show that nothing is left to undo and
// only the terminal write was lost, so an operator can close the case without touching a target.
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

/**
 * `completed` when every planned forward step succeeded and nothing is in flight; `failed` when a
 * forward step failed, every undo that was recorded succeeded, nothing is in flight, and no
 * succeeded step is left that an undo would have to put back. Otherwise null: the log cannot say.
 */
export function provenByLog(steps: readonly StepRecord[], plannedSteps: number | null): LogProof | null {
  if (steps.some((s) => s.state === 'pending')) return null;
  const forward = steps.filter((s) => s.compensatesIndex === null);
  const undos = steps.filter((s) => s.compensatesIndex !== null);
  const failedForward = forward.find((s) => s.state === 'failed');
  if (failedForward === undefined) {
    if (plannedSteps === null || forward.length !== plannedSteps || undos.length > 0) return null;
    if (!forward.every((s) => s.state === 'succeeded')) return null;
    return {
      outcome: 'completed',
      why: `the log shows all ${plannedSteps} steps succeeded and only the write that ends the saga was lost: nothing needs undoing, it can be resolved as completed`,
    };
  }
  if (undos.some((u) => u.state !== 'succeeded')) return null;
  if (forward.some((s) => s.state === 'succeeded' && mayNeedUndo(s))) return null;
  const undone = forward.filter((s) => s.state === 'compensated').length;
  return {
    outcome: 'failed',
    why:
      `the log shows step ${failedForward.stepIndex} '${failedForward.name}' failed and ` +
      (undone === 0 ? 'no earlier step needed an undo' : undone === 1 ? 'its one undo succeeded' : `all ${undone} undos succeeded`) +
      `, and only the write that ends the saga was lost: nothing needs undoing, it can be resolved as failed`,
  };
}
