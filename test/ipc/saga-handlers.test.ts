import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CHANNELS, LIMITS, type SagaChangePush } from '../../src-shared/ipc-contract';
import { createSagaHandlers } from '../../src-main/ipc/saga-handlers';
import { jsonTextBytes } from '../../src-main/ipc/bounds';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { runRecovery } from '../../src-main/saga/recovery';
import { SagaEvents } from '../../src-main/saga/saga-events';
import { tempDir } from '../helpers/temp-dir';
import { errCode, ok } from './handler-results';
import { writeCompleted, writeFailed, writeFailedCompensation, writeInterrupted } from './panel-fixtures';

const TRUSTED = { trusted: true };

function setup() {
  const log = SagaLog.open(path.join(tempDir('panel-handlers-'), LOG_FILE_NAME));
  const events = new SagaEvents();
  const handlers = createSagaHandlers({ log, events, reviewer: 'ops-ada', bootId: 'boot-now' });
  return { log, events, handlers };
}

describe('saga:list', () => {
  test('pages newest first through the cursor until the last page', async () => {
    const { log, handlers } = setup();
    for (let i = 0; i < 7; i++) writeCompleted(log);
    const p1 = ok(await handlers.handle(CHANNELS.list, { limit: 3 }, TRUSTED));
    assert.deepEqual(p1.items.map((s: { sagaId: number }) => s.sagaId), [7, 6, 5]);
    assert.equal(p1.nextCursor, 5);
    const p2 = ok(await handlers.handle(CHANNELS.list, { limit: 3, beforeId: p1.nextCursor }, TRUSTED));
    assert.deepEqual(p2.items.map((s: { sagaId: number }) => s.sagaId), [4, 3, 2]);
    const p3 = ok(await handlers.handle(CHANNELS.list, { limit: 3, beforeId: p2.nextCursor }, TRUSTED));
    assert.deepEqual(p3.items.map((s: { sagaId: number }) => s.sagaId), [1]);
    assert.equal(p3.nextCursor, null);
  });

  test('defaults to 50 rows and filters by state, name and review', async () => {
    const { log, handlers } = setup();
    for (let i = 0; i < 55; i++) writeCompleted(log, i % 5 === 0 ? 'update-app' : 'install-package');
    const fc = writeFailedCompensation(log);
    writeFailed(log);
    assert.equal(ok(await handlers.handle(CHANNELS.list, {}, TRUSTED)).items.length, 50);
    const byState = ok(await handlers.handle(CHANNELS.list, { state: 'failed_compensation' }, TRUSTED));
    assert.deepEqual(byState.items.map((s: { sagaId: number }) => s.sagaId), [fc]);
    const byName = ok(await handlers.handle(CHANNELS.list, { name: 'update-app', limit: 200 }, TRUSTED));
    assert.equal(byName.items.length, 11);
    assert.ok(byName.items.every((s: { name: string }) => s.name === 'update-app'));
    ok(await handlers.handle(CHANNELS.review, { sagaId: fc, note: 'checked' }, TRUSTED));
    const hidden = ok(await handlers.handle(CHANNELS.list, { state: 'failed_compensation', hideReviewed: true }, TRUSTED));
    assert.equal(hidden.items.length, 0);
  });

  test('refuses limits outside 1..200 and unknown keys', async () => {
    const { handlers } = setup();
    for (const req of [{ limit: 0 }, { limit: 201 }, { limit: 2.5 }, { limit: '5' }, { bogus: 1 }, { state: 'exploded' }, null, []]) {
      assert.equal(errCode(await handlers.handle(CHANNELS.list, req, TRUSTED)), 'bad_request', JSON.stringify(req));
    }
  });
});

describe('saga:get and saga:payload', () => {
  test('returns the steps of a recovered saga with its in-flight step', async () => {
    const { log, handlers } = setup();
    const id = writeInterrupted(log);
    runRecovery(log, { bootId: 'boot-now', movedAside: [] });
    const { saga } = ok(await handlers.handle(CHANNELS.get, { sagaId: id }, TRUSTED));
    assert.equal(saga.state, 'failed_compensation');
    assert.match(saga.failureReason, /step 1 'upload'.*outcome unknown/);
    assert.deepEqual(saga.inFlightStep, { stepIndex: 1, name: 'upload', target: 'host', peerGeneration: 4 });
    assert.equal(saga.steps[1].state, 'pending');
    assert.deepEqual(saga.steps[1].cmd, { text: '{"op":"upload","size":1024}', truncated: false, fullSize: 27 });
    assert.equal(saga.steps[1].output, null);

    const reports = ok(await handlers.handle(CHANNELS.recoveryReports, {}, TRUSTED));
    assert.equal(reports.currentBootId, 'boot-now');
    assert.equal(reports.reports[0].bootId, 'boot-now');
    assert.deepEqual(reports.reports[0].marked.map((m: { sagaId: number }) => m.sagaId), [id]);
  });

  test('truncates big payloads with a flag and the full size, and serves the full text on request', async () => {
    const { log, handlers } = setup();
    const big = JSON.stringify({ blob: 'x'.repeat(50_000) });
    const id = log.startSaga({ name: 'big', inputJson: big });
    log.startStep({ sagaId: id, stepIndex: 0, name: 's', target: 'self', cmdJson: big });
    log.finishStep(id, 0, big);
    const { saga } = ok(await handlers.handle(CHANNELS.get, { sagaId: id }, TRUSTED));
    assert.equal(saga.input.truncated, true);
    assert.equal(saga.input.fullSize, big.length);
    // Cut as close to the cap as the escaped size allows (the quotes in the text count double).
    assert.ok(jsonTextBytes(saga.input.text) <= LIMITS.inputBytes && jsonTextBytes(saga.input.text) > LIMITS.inputBytes - 8);
    assert.ok(jsonTextBytes(saga.steps[0].cmd.text) <= LIMITS.stepPayloadBytes);
    assert.equal(saga.steps[0].cmd.truncated, true);
    const full = ok(await handlers.handle(CHANNELS.payload, { sagaId: id, stepIndex: 0, field: 'output' }, TRUSTED));
    assert.deepEqual(full.payload, { text: big, truncated: false, fullSize: big.length });
    assert.equal(errCode(await handlers.handle(CHANNELS.payload, { sagaId: id, field: 'cmd' }, TRUSTED)), 'bad_request');
    assert.equal(errCode(await handlers.handle(CHANNELS.payload, { sagaId: id, stepIndex: 9, field: 'cmd' }, TRUSTED)), 'not_found');
  });

  test('answers not_found for a saga that does not exist', async () => {
    const { handlers } = setup();
    assert.equal(errCode(await handlers.handle(CHANNELS.get, { sagaId: 42 }, TRUSTED)), 'not_found');
  });
});

describe('saga:review', () => {
  test('records who, when and the note, pushes a change, and refuses a second review', async () => {
    const { log, handlers } = setup();
    const id = writeFailedCompensation(log);
    const done = writeCompleted(log);
    const pushes: SagaChangePush[] = [];
    handlers.subscribe((c) => pushes.push(c));
    const r = ok(await handlers.handle(CHANNELS.review, { sagaId: id, note: '  restored by hand  ' }, TRUSTED));
    assert.equal(r.review.reviewedBy, 'ops-ada');
    assert.equal(r.review.note, 'restored by hand');
    assert.deepEqual(pushes, [{ sagaId: id, name: 'move-files', state: 'failed_compensation', stepIndex: null }]);
    assert.equal(log.countUnreviewed(), 0);
    assert.equal(errCode(await handlers.handle(CHANNELS.review, { sagaId: id, note: 'again' }, TRUSTED)), 'conflict');
    assert.equal(errCode(await handlers.handle(CHANNELS.review, { sagaId: done, note: 'x' }, TRUSTED)), 'conflict');
    assert.equal(errCode(await handlers.handle(CHANNELS.review, { sagaId: 999, note: 'x' }, TRUSTED)), 'not_found');
    assert.equal(errCode(await handlers.handle(CHANNELS.review, { sagaId: id, note: '   ' }, TRUSTED)), 'bad_request');
    // The reviewer is the host's, never one the renderer names.
    assert.equal(errCode(await handlers.handle(CHANNELS.review, { sagaId: id, note: 'x', reviewedBy: 'root' }, TRUSTED)), 'bad_request');
  });

  test('answers read_only on a log that refuses writes', async () => {
    const dir = tempDir('panel-ro-');
    const file = path.join(dir, LOG_FILE_NAME);
    const w = SagaLog.open(file);
    const id = writeFailedCompensation(w);
    w.close();
    const log = SagaLog.open(file, { readonly: true });
    const handlers = createSagaHandlers({ log, events: new SagaEvents(), reviewer: 'x' });
    assert.equal(errCode(await handlers.handle(CHANNELS.review, { sagaId: id, note: 'n' }, TRUSTED)), 'read_only');
    log.close();
  });
});

describe('senders and channels', () => {
  test('refuses an untrusted sender and an unknown channel before reading anything', async () => {
    const { handlers } = setup();
    assert.equal(errCode(await handlers.handle(CHANNELS.list, {}, { trusted: false })), 'forbidden');
    assert.equal(errCode(await handlers.handle(CHANNELS.list, {}, undefined as never)), 'forbidden');
    assert.equal(errCode(await handlers.handle('saga:drop-table', {}, TRUSTED)), 'unknown_channel');
    assert.equal(errCode(await handlers.handle('__proto__', {}, TRUSTED)), 'unknown_channel');
  });

  test('counts the states an operator acts on', async () => {
    const { log, handlers } = setup();
    writeFailedCompensation(log);
    writeInterrupted(log);
    writeCompleted(log);
    assert.deepEqual(ok(await handlers.handle(CHANNELS.counts, {}, TRUSTED)), {
      running: 1,
      compensating: 0,
      failedCompensation: 1,
      unreviewed: 1,
    });
  });

  test('a throwing push listener does not reach the emitter', () => {
    const { events, handlers } = setup();
    handlers.subscribe(() => {
      throw new Error('client gone');
    });
    assert.doesNotThrow(() => events.emit({ sagaId: 1, name: 'x', state: 'running', stepIndex: null }));
  });
});

describe('response bounds', () => {
  // The worst a log can hold: every text at its longest and made of characters JSON escapes
  // to six bytes each, the maximum rows and steps.
  const HOSTILE = '\u0001'.repeat(60_000);

  test('the largest list and detail stay under 256 KB whatever the rows hold', async () => {
    const { log, handlers } = setup();
    for (let i = 0; i < LIMITS.listMax; i++) {
      const id = log.startSaga({ name: HOSTILE, inputJson: HOSTILE, bootId: HOSTILE });
      log.startStep({ sagaId: id, stepIndex: 0, name: HOSTILE, target: 'host', cmdJson: HOSTILE, idempotencyKey: HOSTILE });
      log.failStep(id, 0, HOSTILE);
      log.markCompensating(id, HOSTILE);
      log.markFailedCompensation(id, HOSTILE);
      log.markReviewed(id, HOSTILE, HOSTILE);
    }
    const list = await handlers.handle(CHANNELS.list, { limit: LIMITS.listMax }, TRUSTED);
    assert.equal(ok(list).items.length, LIMITS.listMax);
    const listBytes = Buffer.byteLength(JSON.stringify(list));
    assert.ok(listBytes < LIMITS.maxResponseBytes, `list is ${listBytes} bytes`);

    const id = log.startSaga({ name: HOSTILE, inputJson: HOSTILE, bootId: HOSTILE });
    for (let i = 0; i < LIMITS.detailSteps + 10; i++) {
      log.startStep({ sagaId: id, stepIndex: i, name: HOSTILE, target: 'srv', cmdJson: HOSTILE, idempotencyKey: HOSTILE });
      log.finishStep(id, i, HOSTILE);
    }
    const detail = await handlers.handle(CHANNELS.get, { sagaId: id }, TRUSTED);
    const { saga } = ok(detail);
    assert.equal(saga.steps.length, LIMITS.detailSteps);
    assert.equal(saga.stepsOmitted, 10);
    assert.equal(saga.steps[saga.steps.length - 1].stepIndex, LIMITS.detailSteps + 9);
    const detailBytes = Buffer.byteLength(JSON.stringify(detail));
    assert.ok(detailBytes < LIMITS.maxResponseBytes, `detail is ${detailBytes} bytes`);

    const payload = await handlers.handle(CHANNELS.payload, { sagaId: id, stepIndex: 0, field: 'cmd' }, TRUSTED);
    assert.ok(jsonTextBytes(ok(payload).payload.text) <= LIMITS.payloadBytes);
    assert.ok(Buffer.byteLength(JSON.stringify(payload)) < LIMITS.maxResponseBytes);
  });

  test('the largest recovery reports answer stays under 256 KB', async () => {
    const { log, handlers } = setup();
    for (let r = 0; r < LIMITS.reportsMax; r++) {
      for (let i = 0; i < LIMITS.reportMarked + 5; i++) {
        const id = log.startSaga({ name: HOSTILE.slice(0, 5000), inputJson: '{}' });
        log.startStep({ sagaId: id, stepIndex: 0, name: HOSTILE.slice(0, 5000), target: 'host', cmdJson: '{}' });
      }
      const moved = Array.from({ length: LIMITS.reportMovedAside + 3 }, () => ({ from: HOSTILE.slice(0, 5000), to: HOSTILE.slice(0, 5000), reason: HOSTILE.slice(0, 5000) }));
      runRecovery(log, { bootId: `boot-${r}`, movedAside: moved });
    }
    const answer = await handlers.handle(CHANNELS.recoveryReports, { limit: LIMITS.reportsMax }, TRUSTED);
    const reports = ok(answer).reports;
    assert.equal(reports.length, LIMITS.reportsMax);
    assert.equal(reports[0].markedTotal, LIMITS.reportMarked + 5);
    assert.equal(reports[0].marked.length, LIMITS.reportMarked);
    const bytes = Buffer.byteLength(JSON.stringify(answer));
    assert.ok(bytes < LIMITS.maxResponseBytes, `reports are ${bytes} bytes`);
  });
});
