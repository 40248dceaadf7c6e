// The operator channels over a real log: what the log proves (and the offer to resolve), review of
// a whole recovery with one note, export of a saga and of a recovery report, refusals with their
// codes, and the plan "compensate now" makes from the rows (in-flight outcomes plugged in,
// redacted values refused).
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { CHANNELS } from '../../src-shared/ipc-contract';
import { createSagaHandlers, type OperatorActions } from '../../src-main/ipc/saga-handlers';
import { defineSaga } from '../../src-main/saga/define-saga';
import { planCompensation } from '../../src-main/saga/compensate-plan';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { OperatorActionError } from '../../src-main/saga/operator-errors';
import { resolveFromLog, reviewRecovery } from '../../src-main/saga/operator-actions';
import { runRecovery } from '../../src-main/saga/recovery';
import { SagaEvents } from '../../src-main/saga/saga-events';
import { tempDir } from '../helpers/temp-dir';
import { errCode, ok } from '../ipc/handler-results';
import { writeCompleted, writeInterrupted } from '../ipc/panel-fixtures';

const TRUSTED = { trusted: true };

/** A saga whose three steps all ran but whose terminal write was lost, as a crash leaves it. */
function writeAllDone(log: SagaLog): number {
  const id = log.startSaga({ name: 'copy', inputJson: '{"n":1}', plannedSteps: 2, bootId: 'boot-crashed' });
  for (const i of [0, 1]) {
    log.startStep({ sagaId: id, stepIndex: i, name: `s${i}`, target: 'self', kind: 'compensatable', cmdJson: '{"op":"x"}' });
    log.finishStep(id, i, '{}');
  }
  return id;
}

function setup() {
  const log = SagaLog.open(path.join(tempDir('operator-handlers-'), LOG_FILE_NAME));
  const events = new SagaEvents();
  // The real engine functions over the real log; compensate needs peers and is covered elsewhere.
  const operator: OperatorActions = {
    compensate: () => Promise.reject(new OperatorActionError('unknown_saga', 'no definitions in this test')),
    resolve: (sagaId, r) => resolveFromLog(log, events, sagaId, 'ops-ada', r.note),
    reviewRecovery: (bootId, r) => reviewRecovery(log, events, bootId, 'ops-ada', r.note),
  };
  return { log, events, handlers: createSagaHandlers({ log, events, reviewer: 'ops-ada', bootId: 'boot-now', operator }) };
}

describe('operator channels', () => {
  test('the detail offers to resolve what the log proves; resolve ends it completed with who and the note', async () => {
    const { log, handlers } = setup();
    const done = writeAllDone(log);
    const unknown = writeInterrupted(log);
    const report = runRecovery(log, { bootId: 'boot-now', movedAside: [] });
    assert.deepEqual(report.marked.map((m) => m.provenOutcome ?? null), ['completed', null]);
    const detail = ok(await handlers.handle(CHANNELS.get, { sagaId: done }, TRUSTED)).saga;
    assert.equal(detail.provenOutcome.outcome, 'completed');
    assert.match(detail.provenOutcome.why, /all 2 steps succeeded and only the write that ends the saga was lost/);
    assert.equal(ok(await handlers.handle(CHANNELS.get, { sagaId: unknown }, TRUSTED)).saga.provenOutcome, null);

    assert.equal(errCode(await handlers.handle(CHANNELS.resolve, { sagaId: done, note: ' ' }, TRUSTED)), 'bad_request');
    assert.equal(errCode(await handlers.handle(CHANNELS.resolve, { sagaId: unknown, note: 'x' }, TRUSTED)), 'conflict');
    assert.equal(errCode(await handlers.handle(CHANNELS.resolve, { sagaId: 99, note: 'x' }, TRUSTED)), 'not_found');
    assert.deepEqual(ok(await handlers.handle(CHANNELS.resolve, { sagaId: done, note: 'both copies there' }, TRUSTED)), { sagaId: done, state: 'completed' });
    const after = ok(await handlers.handle(CHANNELS.get, { sagaId: done }, TRUSTED)).saga;
    assert.equal(after.state, 'completed');
    assert.equal(after.provenOutcome, null);
    assert.deepEqual(after.actions.map((a: { action: string; doneBy: string; note: string; outcome: string }) => [a.action, a.doneBy, a.note, a.outcome]), [
      ['resolve', 'ops-ada', 'both copies there', 'completed'],
    ]);
    assert.equal(errCode(await handlers.handle(CHANNELS.resolve, { sagaId: done, note: 'again' }, TRUSTED)), 'conflict');
  });

  test('review all from one recovery, with one note; the unreviewed count follows', async () => {
    const { log, handlers } = setup();
    const ids = [writeInterrupted(log), writeInterrupted(log), writeInterrupted(log)];
    writeCompleted(log);
    runRecovery(log, { bootId: 'boot-now', movedAside: [] });
    log.markReviewed(ids[0]!, 'someone', 'earlier');
    assert.equal(ok(await handlers.handle(CHANNELS.counts, {}, TRUSTED)).unreviewed, 2);
    assert.equal(errCode(await handlers.handle(CHANNELS.reviewRecovery, { bootId: 'boot-other', note: 'x' }, TRUSTED)), 'not_found');
    const out = ok(await handlers.handle(CHANNELS.reviewRecovery, { bootId: 'boot-now', note: 'checked all three hosts' }, TRUSTED));
    assert.deepEqual(out, { bootId: 'boot-now', reviewed: [ids[1], ids[2]], skipped: [ids[0]] });
    assert.equal(ok(await handlers.handle(CHANNELS.counts, {}, TRUSTED)).unreviewed, 0);
    assert.equal(log.saga(ids[2]!)?.review?.note, 'checked all three hosts');
    assert.equal(log.saga(ids[0]!)?.review?.note, 'earlier', 'an earlier review is kept');
    const report = ok(await handlers.handle(CHANNELS.recoveryReports, { limit: 1 }, TRUSTED)).reports[0];
    assert.equal(report.unreviewedTotal, 0);
  });

  test('export: one saga or one recovery report, bounded like the panel; a host without operator actions refuses them', async () => {
    const { log, handlers } = setup();
    const id = writeInterrupted(log);
    runRecovery(log, { bootId: 'boot-now', movedAside: [] });
    const saga = ok(await handlers.handle(CHANNELS.export, { sagaId: id }, TRUSTED));
    assert.equal(saga.saga.sagaId, id);
    assert.equal(saga.recoveryReport, null);
    assert.equal(typeof saga.exportedAt, 'string');
    const report = ok(await handlers.handle(CHANNELS.export, { bootId: 'boot-now' }, TRUSTED));
    assert.deepEqual(report.recoveryReport.marked.map((m: { sagaId: number }) => m.sagaId), [id]);
    assert.equal(errCode(await handlers.handle(CHANNELS.export, { sagaId: id, bootId: 'x' }, TRUSTED)), 'bad_request');
    assert.equal(errCode(await handlers.handle(CHANNELS.export, { sagaId: 999 }, TRUSTED)), 'not_found');

    const bare = createSagaHandlers({ log, events: new SagaEvents(), reviewer: 'x' });
    assert.equal(errCode(await bare.handle(CHANNELS.compensate, { sagaId: id, note: 'x' }, TRUSTED)), 'refused');
    assert.equal(errCode(await bare.handle(CHANNELS.compensate, { sagaId: id, note: 'x', extra: 1 }, TRUSTED)), 'bad_request');
  });
});

describe('the plan of compensate now', () => {
  const def = defineSaga({
    name: 'copy_secret',
    input: z.object({ token: z.string() }),
    sensitive: ['token'],
    steps: [
      { name: 'reserve', target: 'self', kind: 'compensatable', command: () => ({ op: 'reserve', slot: 1 }), compensate: (c) => ({ op: 'release', slot: c.slot }) },
      { name: 'upload', target: 'self', kind: 'compensatable', command: ({ input }) => ({ op: 'upload', token: input.token }), compensate: (c) => ({ op: 'delete', token: c.token }) },
    ],
  }) as never;
  const build = (_step: unknown, built: unknown) => built as { op: string };

  function crashed(uploadDone: boolean) {
    const log = SagaLog.open(path.join(tempDir('plan-'), LOG_FILE_NAME));
    const id = log.startSaga({ name: 'copy_secret', inputJson: '{"token":"[redacted]"}', plannedSteps: 2 });
    log.startStep({ sagaId: id, stepIndex: 0, name: 'reserve', target: 'self', kind: 'compensatable', cmdJson: '{"op":"reserve","slot":1}' });
    log.finishStep(id, 0, '{}');
    log.startStep({ sagaId: id, stepIndex: 1, name: 'upload', target: 'self', kind: 'compensatable', cmdJson: '{"op":"upload","token":"[redacted]"}' });
    if (uploadDone) log.finishStep(id, 1, '{}');
    runRecovery(log, { bootId: 'b', movedAside: [] });
    return log.saga(id)!;
  }

  test('an in-flight step is unknown unless an answer is plugged in; not_applied needs no confirmation', () => {
    const saga = crashed(false);
    assert.throws(() => planCompensation(def, saga, () => 'unknown', false, build), (e: unknown) => e instanceof OperatorActionError && e.code === 'unknown_outcome');
    const confirmed = planCompensation(def, saga, () => 'unknown', true, build);
    assert.deepEqual(confirmed.undos.map((u) => u.index), [0]);
    assert.deepEqual(confirmed.unknown.map((s) => s.stepIndex), [1]);
    const notApplied = planCompensation(def, saga, () => 'not_applied', false, build);
    assert.deepEqual(notApplied.undos.map((u) => u.index), [0]);
    assert.deepEqual(notApplied.unknown, []);
  });

  test('an undo that needs a redacted value is refused: applied in flight, or succeeded', () => {
    for (const [saga, outcome] of [[crashed(false), 'applied'], [crashed(true), 'unknown']] as const) {
      assert.throws(
        () => planCompensation(def, saga, () => outcome, true, build),
        (e: unknown) => e instanceof OperatorActionError && e.code === 'redacted_field' && /needs token, which the log holds only as \[redacted\]/.test(e.message),
      );
    }
  });
});
