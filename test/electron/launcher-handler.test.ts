import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LauncherRefusal, createLauncherHandler } from '../../src-main/electron/launcher-handler';
import { LAUNCHER_CHANNELS } from '../../src-shared/launcher-contract';

describe('launcher channel', () => {
  const runs: string[] = [];
  const handler = createLauncherHandler(async ({ saga, workspace, failLastStep }) => {
    if (workspace === 'boom') throw new Error('the coordinator is shutting down');
    if (workspace === 'closed') throw new LauncherRefusal('not_found', 'No workspace named closed was opened in this launch.');
    runs.push(`${saga} ${workspace}${failLastStep ? ' failing' : ''}`);
    return { sagaId: 12, state: 'completed', failureReason: null };
  });
  const trusted = { trusted: true };

  test('runs a valid request and answers the outcome', async () => {
    const res = await handler.handle(LAUNCHER_CHANNELS.runSaga, { saga: 'open_workspace', workspace: ' alpha ' }, trusted);
    assert.deepEqual(res, { ok: true, data: { sagaId: 12, state: 'completed', failureReason: null } });
    await handler.handle(LAUNCHER_CHANNELS.runSaga, { saga: 'close_workspace', workspace: 'b', failLastStep: true }, trusted);
    assert.deepEqual(runs, ['open_workspace alpha', 'close_workspace b failing']);
  });

  test('refuses bad requests, unknown sagas, untrusted senders and other channels without running anything', async () => {
    runs.length = 0;
    const cases: [string, unknown, { trusted: boolean }, string][] = [
      [LAUNCHER_CHANNELS.runSaga, { saga: 'rm_rf', workspace: 'a' }, trusted, 'bad_request'],
      [LAUNCHER_CHANNELS.runSaga, { saga: 'open_workspace', workspace: '../etc' }, trusted, 'bad_request'],
      [LAUNCHER_CHANNELS.runSaga, { saga: 'open_workspace', workspace: 'a', extra: 1 }, trusted, 'bad_request'],
      [LAUNCHER_CHANNELS.runSaga, 'open_workspace', trusted, 'bad_request'],
      [LAUNCHER_CHANNELS.runSaga, { saga: 'open_workspace', workspace: 'a' }, { trusted: false }, 'forbidden'],
      ['saga:list', {}, trusted, 'unknown_channel'],
    ];
    for (const [channel, request, sender, code] of cases) {
      const res = await handler.handle(channel, request, sender);
      assert.equal(res.ok, false, JSON.stringify(request));
      assert.equal(!res.ok && res.error.code, code, JSON.stringify(request));
    }
    assert.deepEqual(runs, []);
  });

  test('a failing run is an internal error envelope, not a rejection', async () => {
    const res = await handler.handle(LAUNCHER_CHANNELS.runSaga, { saga: 'close_workspace', workspace: 'boom' }, trusted);
    assert.equal(!res.ok && res.error.code, 'internal');
    assert.match(!res.ok ? res.error.message : '', /shutting down/);
    const refused = await handler.handle(LAUNCHER_CHANNELS.runSaga, { saga: 'close_workspace', workspace: 'closed' }, trusted);
    assert.deepEqual(refused, { ok: false, error: { code: 'not_found', message: 'No workspace named closed was opened in this launch.' } });
  });
});
