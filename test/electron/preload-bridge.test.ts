import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import { launcherApiOver, panelApiOver, type RendererIpc } from '../../src-main/electron/preload-bridge';
import { CHANNELS, PUSH_CHANNEL } from '../../src-shared/ipc-contract';
import { LAUNCHER_CHANNELS } from '../../src-shared/launcher-contract';

/** An ipcRenderer stand-in: a real EventEmitter for pushes, a recorder for invokes. */
function rendererIpc(answer: (channel: string, request: unknown) => unknown) {
  const emitter = new EventEmitter();
  const invoked: { channel: string; args: unknown[] }[] = [];
  const ipc: RendererIpc = {
    invoke: async (channel, ...args) => {
      invoked.push({ channel, args });
      return answer(channel, args[0]);
    },
    on: (channel, listener) => emitter.on(channel, listener),
    removeListener: (channel, listener) => emitter.removeListener(channel, listener),
  };
  return { ipc, emitter, invoked };
}

describe('preload bridge', () => {
  test('panel calls go to their contract channel with one argument', async () => {
    const { ipc, invoked } = rendererIpc(() => ({ ok: true, data: { running: 1, compensating: 0, failedCompensation: 2, unreviewed: 2 } }));
    const api = panelApiOver(ipc);
    const res = await api.counts();
    assert.deepEqual(res, { ok: true, data: { running: 1, compensating: 0, failedCompensation: 2, unreviewed: 2 } });
    await api.get(5);
    assert.deepEqual(invoked, [
      { channel: CHANNELS.counts, args: [{}] },
      { channel: CHANNELS.get, args: [{ sagaId: 5 }] },
    ]);
  });

  test('pushes reach the listener without the IPC event, and unsubscribe removes exactly that listener', () => {
    const { ipc, emitter } = rendererIpc(() => null);
    const api = panelApiOver(ipc);
    const seen: unknown[][] = [];
    const unsubscribe = api.onChange((...args: unknown[]) => seen.push(args));
    const change = { sagaId: 4, name: 'open_workspace', state: 'running', stepIndex: 1 };
    emitter.emit(PUSH_CHANNEL, { sender: 'the IpcRendererEvent' }, change);
    assert.deepEqual(seen, [[change]]);
    assert.equal(emitter.listenerCount(PUSH_CHANNEL), 1);
    unsubscribe();
    unsubscribe();
    assert.equal(emitter.listenerCount(PUSH_CHANNEL), 0);
    emitter.emit(PUSH_CHANNEL, {}, change);
    assert.equal(seen.length, 1);
  });

  test('launcher calls go to the launcher channel; an off-contract answer becomes a typed error', async () => {
    const { ipc, invoked } = rendererIpc(() => ({ ok: true, data: { sagaId: 'x' } }));
    const res = await launcherApiOver(ipc).runSaga({ saga: 'open_workspace', workspace: 'a' });
    assert.equal(!res.ok && res.error.code, 'internal');
    assert.deepEqual(invoked, [{ channel: LAUNCHER_CHANNELS.runSaga, args: [{ saga: 'open_workspace', workspace: 'a' }] }]);
  });
});
