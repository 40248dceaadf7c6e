import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { peerEnv, serviceNameOf, utilityForkOptions } from '../../src-main/electron/utility-peer';

describe('utility-process peers', () => {
  const request = {
    name: 'host' as const,
    entryFile: '/app/dist/peers/host.js',
    args: ['--generation', '2'],
    env: { LAUNCHER_PEER_GENERATION: '2', PATH: '/peer/bin' },
  };

  test("the peer's environment is ours without unset entries, with the request's on top", () => {
    const env = peerEnv({ PATH: '/usr/bin', HOME: '/home/u', UNSET: undefined }, request.env);
    assert.deepEqual(env, { PATH: '/peer/bin', HOME: '/home/u', LAUNCHER_PEER_GENERATION: '2' });
  });

  test('fork options: the merged env, a named service, stdin ignored as utility processes require', () => {
    const options = utilityForkOptions(request, { HOME: '/home/u', LAUNCHER_CRASH_AT: 'x:1:after_pending' });
    assert.deepEqual(options.env, {
      HOME: '/home/u',
      LAUNCHER_CRASH_AT: 'x:1:after_pending',
      LAUNCHER_PEER_GENERATION: '2',
      PATH: '/peer/bin',
      // Packaged Electron cannot fork itself as Node (runAsNode fuse off): the peer is told it is a utility process.
      LAUNCHER_PEER_PROCESS: 'utility',
    });
    const forced = utilityForkOptions({ ...request, env: { LAUNCHER_PEER_PROCESS: 'fork' } }, { LAUNCHER_PEER_PROCESS: 'fork' });
    assert.equal((forced.env as Record<string, string> | undefined)?.['LAUNCHER_PEER_PROCESS'], 'utility', 'no environment can make a utility peer believe it was forked');
    assert.equal(options.serviceName, serviceNameOf('host'));
    assert.notEqual(serviceNameOf('host'), serviceNameOf('srv'));
    assert.ok(Array.isArray(options.stdio) && options.stdio[0] === 'ignore');
  });
});
