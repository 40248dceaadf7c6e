// What the log proves once reconciliation has answered: a pending row its peer's receipt shows
// applied counts as done, so a crash that lost only the last reply and the terminal write can be
// resolved; anything less proves nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { provenByLog } from '../../src-main/index';
import type { ReconciledAnswer, StepRecord } from '../../src-shared/saga-model';

const AT = '2026-01-01T00:00:00.000Z';
function row(stepIndex: number, state: StepRecord['state'], kind: StepRecord['kind'], extra: Partial<StepRecord> = {}): StepRecord {
  return {
    sagaId: 1, stepIndex, name: `step${stepIndex}`, state, target: 'srv', kind, cmdJson: '{}', outputJson: null, failureReason: null,
    failureKind: null, startedAt: AT, endedAt: null, idempotencyKey: null, peerGeneration: 1, compensatesIndex: null, reconciliation: null, ...extra,
  };
}
const answered = (answer: ReconciledAnswer) => ({ reconciliation: { answer, why: 'receipts', source: 'peer srv generation 1', at: AT } });

describe('the log with reconciliation', () => {
  test('a final step in flight whose receipt shows it applied completes the proof, naming the receipt', () => {
    const steps = [row(0, 'succeeded', 'compensatable'), row(1, 'pending', 'final', answered('applied'))];
    const proof = provenByLog(steps, 2);
    assert.equal(proof?.outcome, 'completed');
    assert.match(proof?.why ?? '', /^the log, with the peer's receipt for step 1 'step1', shows all 2 steps succeeded/);
    for (const other of ['not_applied', 'unknown'] as const) {
      assert.equal(provenByLog([steps[0]!, row(1, 'pending', 'final', answered(other))], 2), null, `${other} proves nothing`);
    }
    assert.equal(provenByLog([steps[0]!, row(1, 'pending', 'final')], 2), null, 'not asked yet proves nothing');
  });

  test('an undo in flight whose receipt shows it applied counts as done: the saga can be resolved as failed', () => {
    const steps = [
      row(0, 'succeeded', 'compensatable'),
      row(1, 'failed', 'compensatable'),
      row(2, 'pending', null, { compensatesIndex: 0, ...answered('applied') }),
    ];
    assert.equal(provenByLog(steps, 2)?.outcome, 'failed');
    assert.equal(provenByLog([steps[0]!, steps[1]!, row(2, 'pending', null, { compensatesIndex: 0, ...answered('unknown') })], 2), null);
  });
});
