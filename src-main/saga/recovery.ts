// Launch-time recovery, the launcher policy: every saga a crash left `running` or
// `compensating` becomes `failed_compensation` with a reason an operator can act on.
// Nothing is re-sent: this module never sees the router, so it cannot dispatch by mistake.
import type { InFlightStep, MovedAsideFile, RecoveredSaga, RecoveryReport, StepRecord } from '../../src-shared/saga-model';
import type { SagaLog, UnresolvedSaga } from './log/saga-log';
import { provenByLog } from './log-proof';

function quote(name: string): string {
  return `'${name}'`;
}

/** "target host, peer generation 3" or "target self" (self steps have no peer). */
function whereSent(step: StepRecord): string {
  const parts = [`target ${step.target ?? 'unknown'}`];
  if (step.peerGeneration !== null) parts.push(`peer generation ${step.peerGeneration}`);
  return parts.join(', ');
}

function describeRow(step: StepRecord): string {
  return step.compensatesIndex === null
    ? `step ${step.stepIndex} ${quote(step.name)}`
    : `compensation step ${step.stepIndex} ${quote(step.name)} of step ${step.compensatesIndex}`;
}

function phaseOf(saga: UnresolvedSaga): string {
  if (saga.state !== 'compensating') return 'interrupted while running';
  // The forward step whose failure started compensation; its own reason is the most precise.
  const failed = saga.steps.findLast((s) => s.state === 'failed' && s.compensatesIndex === null);
  if (failed) {
    const why = failed.failureReason ?? saga.failureReason ?? 'reason not recorded';
    return `interrupted while compensating (after step ${failed.stepIndex} ${quote(failed.name)} failed: ${why})`;
  }
  // Marking the saga failed_compensation replaces its failure_reason, so the old one is kept here.
  return `interrupted while compensating (after: ${saga.failureReason ?? 'reason not recorded'})`;
}

/** The step whose outcome nobody knows: the newest row still `pending`. */
export function inFlightOf(saga: UnresolvedSaga): StepRecord | null {
  return saga.steps.findLast((s) => s.state === 'pending') ?? null;
}

function whereItStopped(saga: UnresolvedSaga): string {
  const inFlight = inFlightOf(saga);
  if (inFlight) return `during ${describeRow(inFlight)} (${whereSent(inFlight)}, outcome unknown)`;
  const last = saga.steps[saga.steps.length - 1];
  if (!last) return 'before its first step: no step was recorded, none in flight';
  return `between steps: ${describeRow(last)} ${last.state}, no step in flight`;
}

/** Pure: the wording recovery writes for each interrupted saga, in saga id order. */
export function recoveryPlan(unresolved: readonly UnresolvedSaga[]): RecoveredSaga[] {
  return unresolved.map((saga) => {
    const inFlight = inFlightOf(saga);
    const inFlightStep: InFlightStep | null = inFlight && {
      stepIndex: inFlight.stepIndex,
      name: inFlight.name,
      target: inFlight.target,
      peerGeneration: inFlight.peerGeneration,
    };
    const proof = provenByLog(saga.steps, saga.plannedSteps);
    return {
      sagaId: saga.sagaId,
      name: saga.name,
      previousState: saga.state,
      reason: `${phaseOf(saga)}, ${whereItStopped(saga)}${proof ? `; ${proof.why}` : ''}`,
      inFlightStep,
      // Only when proven, so reports of sagas the log cannot settle read as they always did.
      ...(proof && { provenOutcome: proof.outcome }),
    };
  });
}

export interface RunRecoveryOptions {
  bootId: string;
  movedAside: MovedAsideFile[];
}

/**
 * Marks what a crash interrupted, in one transaction, and persists the launch's report.
 * A read error propagates: a failed read must never look like an empty log.
 */
export function runRecovery(log: SagaLog, options: RunRecoveryOptions): RecoveryReport {
  return log.recoverInterrupted({ bootId: options.bootId, movedAside: options.movedAside, plan: recoveryPlan });
}
