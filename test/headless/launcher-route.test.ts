// The launcher channel on the headless transport: behind the same token, validated before
// anything runs, and absent (unknown_channel) when the host serves the panel only.
// The run itself (real peers, real sagas) is covered by the Playwright suites in e2e/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLauncherHandler } from '../../src-main/ipc/launcher-handler';
import { type PanelServer, startPanelServer } from '../../src-main/headless/panel-server';
import { createSagaHandlers } from '../../src-main/ipc/saga-handlers';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { SagaEvents } from '../../src-main/saga/saga-events';
import { tempDir } from '../helpers/temp-dir';

function panelDir(dir: string): string {
  const p = path.join(dir, 'renderer');
  fs.mkdirSync(p);
  fs.writeFileSync(path.join(p, 'index.html'), '<!doctype html><title>panel</title>');
  fs.writeFileSync(path.join(p, 'launcher.html'), '<!doctype html><title>launcher</title>');
  return p;
}

async function post(server: PanelServer, channel: string, body: unknown, token = server.token) {
  const res = await fetch(`${server.origin}/api/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

describe('launcher channel over the headless transport', () => {
  let withLauncher: PanelServer;
  let panelOnly: PanelServer;
  let log: SagaLog;
  let runs = 0;

  before(async () => {
    const dir = tempDir('launcher-route-');
    log = SagaLog.open(path.join(dir, LOG_FILE_NAME));
    const handlers = createSagaHandlers({ log, events: new SagaEvents(), reviewer: 'ops' });
    const launcher = createLauncherHandler(async () => {
      runs++;
      throw new Error('no saga may run for a request that failed validation');
    });
    withLauncher = await startPanelServer({ handlers, launcher, port: 0, panelDir: panelDir(dir) });
    panelOnly = await startPanelServer({ handlers, port: 0, panelDir: path.join(dir, 'renderer') });
  });
  after(async () => {
    await withLauncher.close();
    await panelOnly.close();
    log.close();
  });

  test('serves the launcher page next to the panel, behind the token', async () => {
    assert.equal((await fetch(`${withLauncher.url}launcher.html`)).status, 200);
    assert.equal((await fetch(`${withLauncher.origin}/launcher.html`)).status, 401);
  });

  test('refuses a run request without the token', async () => {
    const r = await post(withLauncher, 'launcher:run-saga', { saga: 'open_workspace', workspace: 'w' }, 'x'.repeat(43));
    assert.equal(r.status, 401);
    assert.equal(runs, 0);
  });

  test('answers a malformed run request with a typed bad_request and runs nothing', async () => {
    for (const body of [{ saga: 'open_workspace', workspace: '../etc' }, { saga: 'drop_tables', workspace: 'w' }, { saga: 'open_workspace', workspace: 'w', extra: 1 }]) {
      const r = await post(withLauncher, 'launcher:run-saga', body);
      assert.equal(r.status, 400, r.text);
      assert.equal((JSON.parse(r.text) as { error: { code: string } }).error.code, 'bad_request');
    }
    assert.equal(runs, 0);
    assert.equal(log.maxSagaId(), 0);
  });

  test('a host without the launcher answers unknown_channel', async () => {
    const r = await post(panelOnly, 'launcher:run-saga', { saga: 'open_workspace', workspace: 'w' });
    assert.equal(r.status, 404);
    assert.equal((JSON.parse(r.text) as { error: { code: string } }).error.code, 'unknown_channel');
  });
});
