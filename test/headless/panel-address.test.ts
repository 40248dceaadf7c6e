// The panel's address across launches of one profile: a token in a 0600 file, the same port
// while it is free, a new token when the file is missing, unreadable, exposed, or on request.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';
import { PANEL_ADDRESS_FILE, loadOrCreatePanelAddress, savePanelAddress } from '../../src-main/headless/panel-address';
import { startPanelServer } from '../../src-main/headless/panel-server';
import { createSagaHandlers } from '../../src-main/ipc/saga-handlers';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { SagaEvents } from '../../src-main/saga/saga-events';
import { DIST_DIR } from '../helpers/cli';
import { tempDir } from '../helpers/temp-dir';

const PANEL_DIR = path.join(DIST_DIR, 'renderer');
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('panel address', () => {
  test('is made once, kept in a file only its user can read, and read back the same', () => {
    const dir = tempDir('panel-address-');
    const first = loadOrCreatePanelAddress(dir);
    assert.equal(first.renewedBecause, 'no address was stored yet');
    assert.match(first.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(first.port, 0);
    const file = path.join(dir, PANEL_ADDRESS_FILE);
    if (process.platform !== 'win32') assert.equal(modeOf(file), 0o600);
    savePanelAddress(dir, { token: first.token, port: 43_210 });
    if (process.platform !== 'win32') assert.equal(modeOf(file), 0o600);
    assert.deepEqual(loadOrCreatePanelAddress(dir), { token: first.token, port: 43_210, renewedBecause: null });
    assert.deepEqual(fs.readdirSync(dir), [PANEL_ADDRESS_FILE], 'no temporary file left behind');
  });

  test('a new token when asked, when the file is garbage, or when others could read it', () => {
    const dir = tempDir('panel-address-');
    const first = loadOrCreatePanelAddress(dir);
    const renewed = loadOrCreatePanelAddress(dir, { renew: true });
    assert.notEqual(renewed.token, first.token);
    assert.equal(renewed.renewedBecause, 'a new address was asked for');
    const file = path.join(dir, PANEL_ADDRESS_FILE);
    fs.writeFileSync(file, '{"token":"short","port":1}');
    const fromGarbage = loadOrCreatePanelAddress(dir);
    assert.equal(fromGarbage.renewedBecause, `${PANEL_ADDRESS_FILE} could not be read`);
    assert.notEqual(fromGarbage.token, renewed.token);
    if (process.platform !== 'win32') {
      fs.chmodSync(file, 0o644);
      const exposed = loadOrCreatePanelAddress(dir);
      assert.equal(exposed.renewedBecause, `${PANEL_ADDRESS_FILE} was readable by other users`);
      assert.notEqual(exposed.token, fromGarbage.token);
      assert.equal(modeOf(file), 0o600);
    }
    assert.throws(() => savePanelAddress(dir, { token: 'x', port: 1 }));
  });

  test('a relaunch serves the same URL on the same port, or another port when that one is taken', async () => {
    const dir = tempDir('panel-address-');
    const log = SagaLog.open(path.join(dir, LOG_FILE_NAME));
    const handlers = createSagaHandlers({ log, events: new SagaEvents(), reviewer: 't' });
    try {
      const stored = loadOrCreatePanelAddress(dir);
      const first = await startPanelServer({ handlers, panelDir: PANEL_DIR, token: stored.token, port: stored.port, anyPortIfTaken: true });
      savePanelAddress(dir, { token: first.token, port: first.port });
      await first.close();
      const again = loadOrCreatePanelAddress(dir);
      const second = await startPanelServer({ handlers, panelDir: PANEL_DIR, token: again.token, port: again.port, anyPortIfTaken: true });
      assert.equal(second.url, first.url);
      // Something else took the port meanwhile: the token stays, the port moves, nothing fails.
      const squatter = net.createServer();
      await second.close();
      await new Promise<void>((resolve) => squatter.listen(first.port, '127.0.0.1', resolve));
      try {
        const third = await startPanelServer({ handlers, panelDir: PANEL_DIR, token: again.token, port: again.port, anyPortIfTaken: true });
        assert.notEqual(third.port, first.port);
        assert.equal(third.token, first.token);
        await third.close();
        await assert.rejects(startPanelServer({ handlers, panelDir: PANEL_DIR, token: again.token, port: again.port }), { code: 'EADDRINUSE' });
      } finally {
        squatter.close();
      }
    } finally {
      log.close();
    }
  });
});
