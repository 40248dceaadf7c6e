// Runs a saga with a fault plan for it: the plan is written right after start() returns, which is
// before the saga's first step can be dispatched (start() writes the saga row synchronously and
// every dispatch comes after an await), and removed once the saga has ended.
import type { SagaDefinition, SagaOutcome, SagaSubsystem } from '../index';
import type { FaultPlan, SagaFaults } from './fault-plan';

export async function runWithFaults(
  subsystem: Pick<SagaSubsystem, 'start'>,
  plan: FaultPlan,
  saga: SagaDefinition<unknown>,
  input: unknown,
  faults: SagaFaults = {},
): Promise<SagaOutcome> {
  const started = subsystem.start(saga, input);
  if (Object.keys(faults).length === 0) return started.done;
  plan.set(started.sagaId, faults);
  try {
    return await started.done;
  } finally {
    plan.clear(started.sagaId);
  }
}
