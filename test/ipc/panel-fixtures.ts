// Sagas written straight through SagaLog, the way the engine writes them, for the panel's
// tests (unit, HTTP and Playwright alike).
import type { SagaLog } from '../../src-main/saga/log/saga-log';

/** A three-step saga across self, host and srv that completed. */
export function writeCompleted(log: SagaLog, name = 'install-package', input: unknown = { pkg: 'demo' }): number {
  const id = log.startSaga({ name, inputJson: JSON.stringify(input), plannedSteps: 3, bootId: 'boot-a' });
  const targets = ['self', 'host', 'srv'] as const;
  targets.forEach((target, i) => {
    log.startStep({
      sagaId: id,
      stepIndex: i,
      name: `step-${target}`,
      target,
      kind: i === 2 ? 'final' : 'compensatable',
      cmdJson: JSON.stringify({ op: `do-${target}`, n: i }),
      idempotencyKey: i === 2 ? `${name}-${id}-final` : null,
      peerGeneration: target === 'self' ? null : 1,
    });
    log.finishStep(id, i, JSON.stringify({ ok: true, step: i }));
  });
  log.terminate(id, 'completed');
  return id;
}

/** A saga whose second step failed and whose first step was compensated. */
export function writeFailed(log: SagaLog, name = 'open-session'): number {
  const id = log.startSaga({ name, inputJson: '{"user":"ada"}', plannedSteps: 2, bootId: 'boot-a' });
  log.startStep({ sagaId: id, stepIndex: 0, name: 'reserve', target: 'host', kind: 'compensatable', cmdJson: '{"op":"reserve"}', peerGeneration: 1 });
  log.finishStep(id, 0, '{"slot":7}');
  log.startStep({ sagaId: id, stepIndex: 1, name: 'connect', target: 'srv', kind: 'compensatable', cmdJson: '{"op":"connect"}', peerGeneration: 2 });
  log.failStep(id, 1, 'srv refused the connection');
  log.markCompensating(id, 'step 1 connect failed: srv refused the connection');
  const c = log.appendCompensation({ sagaId: id, compensatesIndex: 0, name: 'release', target: 'host', cmdJson: '{"op":"release"}', peerGeneration: 1 });
  log.finishCompensation(id, c, '{}');
  log.terminate(id, 'failed', 'step 1 connect failed: srv refused the connection');
  return id;
}

/**
 * What a crash leaves: the saga `running`, its step 1 recorded pending on host and never
 * finished. Recovery at the next launch marks it failed_compensation with the step in flight.
 */
export function writeInterrupted(log: SagaLog, name = 'sync-profile'): number {
  const id = log.startSaga({ name, inputJson: '{"profile":"p1"}', plannedSteps: 3, bootId: 'boot-crashed' });
  log.startStep({ sagaId: id, stepIndex: 0, name: 'snapshot', target: 'self', kind: 'read_only', cmdJson: '{"op":"snapshot"}' });
  log.finishStep(id, 0, '{"bytes":1024}');
  log.startStep({ sagaId: id, stepIndex: 1, name: 'upload', target: 'host', kind: 'compensatable', cmdJson: '{"op":"upload","size":1024}', peerGeneration: 4 });
  return id;
}

/** A failed_compensation saga as the live engine leaves it when an undo fails. */
export function writeFailedCompensation(log: SagaLog, name = 'move-files'): number {
  const id = log.startSaga({ name, inputJson: '{"from":"a","to":"b"}', plannedSteps: 2, bootId: 'boot-a' });
  log.startStep({ sagaId: id, stepIndex: 0, name: 'copy', target: 'host', kind: 'compensatable', cmdJson: '{"op":"copy"}', peerGeneration: 1 });
  log.finishStep(id, 0, '{}');
  log.startStep({ sagaId: id, stepIndex: 1, name: 'delete-source', target: 'srv', kind: 'final', cmdJson: '{"op":"rm"}', idempotencyKey: `${name}-${id}`, peerGeneration: 1 });
  log.failStep(id, 1, 'permission denied');
  log.markCompensating(id, 'step 1 delete-source failed: permission denied');
  const c = log.appendCompensation({ sagaId: id, compensatesIndex: 0, name: 'remove-copy', target: 'host', cmdJson: '{"op":"rm-copy"}', peerGeneration: 1 });
  log.failStep(id, c, 'host is gone');
  log.markFailedCompensation(id, 'compensation of step 0 copy failed: host is gone');
  return id;
}
