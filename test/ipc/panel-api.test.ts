import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ConnectionState, createPanelApi } from '../../src-shared/ipc-contract';

const noInvoke = () => Promise.reject(new Error('no calls in this test'));
const noPushes = () => () => {};

describe('panel API connection state', () => {
  test('a transport without connection reporting (Electron IPC) says open once, after the caller has subscribed', async () => {
    const api = createPanelApi(noInvoke, noPushes);
    const seen: ConnectionState[] = [];
    api.onConnection((s) => seen.push(s));
    // Not synchronously: the panel finishes its setup before the first refresh.
    assert.deepEqual(seen, []);
    await Promise.resolve();
    await Promise.resolve();
    assert.deepEqual(seen, ['open']);
  });

  test('unsubscribing before the report silences it', async () => {
    const api = createPanelApi(noInvoke, noPushes);
    const seen: ConnectionState[] = [];
    api.onConnection((s) => seen.push(s))();
    await Promise.resolve();
    await Promise.resolve();
    assert.deepEqual(seen, []);
  });

  test("a transport's own reports pass through in order, and unsubscribe reaches it", () => {
    let report: ((s: ConnectionState) => void) | undefined;
    let unsubscribed = 0;
    const api = createPanelApi(noInvoke, noPushes, (listener) => {
      report = listener;
      return () => void unsubscribed++;
    });
    const seen: ConnectionState[] = [];
    const off = api.onConnection((s) => seen.push(s));
    report?.('open');
    report?.('closed');
    report?.('open');
    assert.deepEqual(seen, ['open', 'closed', 'open']);
    off();
    assert.equal(unsubscribed, 1);
  });
});
