// One row another tool wrote into the log (a state this build does not know, a malformed
// recovery report) is shown as unreadable with why; the rest of the page or report still shows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CHANNELS, CHANNEL_SCHEMAS, createPanelApi } from '../../src-shared/ipc-contract';
import { createSagaHandlers } from '../../src-main/ipc/saga-handlers';
import { SagaLog } from '../../src-main/saga/log/saga-log';
import { SagaEvents } from '../../src-main/saga/saga-events';
import { logWithBadRows } from './bad-rows-fixture';

const TRUSTED = { trusted: true };

describe('views that survive a bad row', () => {
  test('saga:list shows the readable rows and names the unreadable one with why; the answer matches the contract', async () => {
    const { file, good, bad } = logWithBadRows();
    const log = SagaLog.open(file);
    const handlers = createSagaHandlers({ log, events: new SagaEvents(), reviewer: 'ops', bootId: 'boot-now' });
    const raw = await handlers.handle(CHANNELS.list, {}, TRUSTED);
    // What the renderer receives goes through the same contract check as in the app.
    const api = createPanelApi(async (channel, request) => handlers.handle(channel, request, TRUSTED), () => () => {});
    const page = await api.list({});
    assert.ok(raw.ok && page.ok, JSON.stringify(page));
    assert.deepEqual(page.data.unreadable.map((u) => u.sagaId), [bad]);
    assert.match(page.data.unreadable[0]!.why, /state/);
    for (const id of good) assert.ok(page.data.items.some((s) => s.sagaId === id), `saga ${id} shown`);
    assert.ok(!page.data.items.some((s) => s.sagaId === bad));

    const detail = await handlers.handle(CHANNELS.get, { sagaId: bad }, TRUSTED);
    assert.equal(detail.ok, false);
    assert.equal(!detail.ok && detail.error.code, 'unreadable');
    assert.match(!detail.ok ? detail.error.message : '', new RegExp(`Saga ${bad} cannot be shown: .*state`));
    log.close();
  });

  test('saga:recovery-reports answers the readable reports and the malformed one as unreadable', async () => {
    const { file } = logWithBadRows();
    const log = SagaLog.open(file);
    const handlers = createSagaHandlers({ log, events: new SagaEvents(), reviewer: 'ops', bootId: 'boot-now' });
    const r = await handlers.handle(CHANNELS.recoveryReports, { limit: 4 }, TRUSTED);
    assert.ok(r.ok, JSON.stringify(r));
    const data = CHANNEL_SCHEMAS[CHANNELS.recoveryReports].response.parse(r.data);
    assert.deepEqual(data.reports.map((x) => x.bootId), ['boot-older']);
    assert.equal(data.unreadable.length, 1);
    assert.equal(data.unreadable[0]!.bootId, 'boot-newest');
    assert.match(data.unreadable[0]!.why, /marked_json is not JSON/);
    log.close();
  });
});
