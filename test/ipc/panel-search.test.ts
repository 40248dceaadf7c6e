// saga:list's search through the real handlers: key inputs as the definitions declare them,
// partial names, time ranges, a recovery's sagas, and review state in the recovery report.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createSagaHandlers, type HandlerResponse } from '../../src-main/ipc/saga-handlers';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { runRecovery } from '../../src-main/saga/recovery';
import { SagaEvents } from '../../src-main/saga/saga-events';
import { tempDir } from '../helpers/temp-dir';
import { ok } from './handler-results';

const TRUSTED = { trusted: true };

function setup(keyInputFields?: Record<string, string>) {
  const log = SagaLog.open(path.join(tempDir('panel-search-'), LOG_FILE_NAME));
  const handlers = createSagaHandlers({ log, events: new SagaEvents(), reviewer: 'ops', bootId: 'boot-2', keyInputFields });
  return { log, handlers };
}

describe('saga:list search', () => {
  test('the key input comes from the field the definition names, else `name`, cut to 64 bytes', async () => {
    const { log, handlers } = setup({ close_workspace: 'workspaceId' });
    const open = log.startSaga({ name: 'open_workspace', inputJson: JSON.stringify({ name: 'payroll', owner: 'ada' }) });
    const close = log.startSaga({ name: 'close_workspace', inputJson: JSON.stringify({ workspaceId: 'ws-7', name: 'ignored' }) });
    const long = log.startSaga({ name: 'open_workspace', inputJson: JSON.stringify({ name: 'x'.repeat(500) }) });
    const none = log.startSaga({ name: 'other', inputJson: '{}' });
    const list = ok(await handlers.handle('saga:list', {}, TRUSTED));
    const key = (id: number) => list.items.find((i: { sagaId: number }) => i.sagaId === id).keyInput;
    assert.equal(key(open), 'payroll');
    assert.equal(key(close), 'ws-7');
    assert.ok(key(long).length <= 64 && key(long).startsWith('xxx'));
    assert.equal(key(none), null);
    assert.equal(ok(await handlers.handle('saga:get', { sagaId: close }, TRUSTED)).saga.keyInput, 'ws-7');
    assert.throws(() => createSagaHandlers({ log, events: new SagaEvents(), reviewer: 'x', keyInputFields: { a: "name') OR 1" } }), /plain top-level field/);
  });

  test('part of a name in any case, a time range, and both cursors at once refused', async () => {
    const { log, handlers } = setup();
    const ids = ['open_workspace', 'close_workspace', 'open_workspace'].map((name) => log.startSaga({ name, inputJson: '{}' }));
    const names = (r: HandlerResponse) => ok(r).items.map((i: { name: string }) => i.name);
    assert.deepEqual(names(await handlers.handle('saga:list', { nameContains: 'OPEN' }, TRUSTED)), ['open_workspace', 'open_workspace']);
    assert.deepEqual(names(await handlers.handle('saga:list', { nameContains: 'nothing' }, TRUSTED)), []);
    const future = new Date(Date.now() + 3600_000).toISOString();
    assert.deepEqual(names(await handlers.handle('saga:list', { startedFrom: future }, TRUSTED)), []);
    assert.equal(ok(await handlers.handle('saga:list', { startedTo: future }, TRUSTED)).items.length, 3);
    const both = await handlers.handle('saga:list', { beforeId: ids[2], afterId: ids[0] }, TRUSTED);
    assert.equal(both.ok, false);
    const badTime = await handlers.handle('saga:list', { startedFrom: 'yesterday' }, TRUSTED);
    assert.match(badTime.ok ? '' : badTime.error.message, /startedFrom: must be a date and time/);
  });

  test("a recovery's sagas, and its report says which still wait for a review", async () => {
    const { log, handlers } = setup();
    const before = log.startSaga({ name: 'open_workspace', inputJson: '{}' });
    log.terminate(before, 'completed');
    const a = log.startSaga({ name: 'open_workspace', inputJson: '{"name":"a"}' });
    const b = log.startSaga({ name: 'open_workspace', inputJson: '{"name":"b"}' });
    runRecovery(log, { bootId: 'boot-2', movedAside: [] });
    log.markReviewed(a, 'ops', 'fine');
    const listed = ok(await handlers.handle('saga:list', { recoveredBy: 'boot-2' }, TRUSTED));
    assert.deepEqual(listed.items.map((i: { sagaId: number }) => i.sagaId), [b, a]);
    const report = ok(await handlers.handle('saga:recovery-reports', {}, TRUSTED)).reports[0];
    assert.equal(report.unreviewedTotal, 1);
    assert.deepEqual(report.marked.map((m: { sagaId: number; reviewed: boolean }) => [m.sagaId, m.reviewed]), [[a, true], [b, false]]);
  });
});

describe('saga:list by failure kind', () => {
  test('filters by the recorded kind of the failure; an unknown kind is a bad request', async () => {
    const { log, handlers } = setup();
    const failWith = (kind: 'deadline' | 'peer_garbage' | 'error') => {
      const id = log.startSaga({ name: 'open_workspace', inputJson: '{}' });
      log.startStep({ sagaId: id, stepIndex: 0, name: 'create_workspace', target: 'srv', cmdJson: '{"op":"create_workspace"}' });
      log.failStep(id, 0, `it failed (${kind})`, kind);
      log.markCompensating(id, `step 0 failed: ${kind}`, kind);
      log.terminate(id, 'failed', null, kind);
      return id;
    };
    const deadline = failWith('deadline');
    const garbage = failWith('peer_garbage');
    failWith('error');
    const completed = log.startSaga({ name: 'open_workspace', inputJson: '{}' });
    log.terminate(completed, 'completed');
    const ids = async (failureKind: string) => ok(await handlers.handle('saga:list', { failureKind }, TRUSTED)).items.map((i: { sagaId: number }) => i.sagaId);
    assert.deepEqual(await ids('deadline'), [deadline]);
    assert.deepEqual(await ids('peer_garbage'), [garbage]);
    assert.equal(log.saga(garbage)!.failureKind, 'peer_garbage');
    assert.equal(log.saga(garbage)!.steps[0]!.failureKind, 'peer_garbage');
    const bad = await handlers.handle('saga:list', { failureKind: 'gremlins' }, TRUSTED);
    assert.equal(!bad.ok && bad.error.code, 'bad_request');
  });
});
