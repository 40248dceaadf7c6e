// What an app gives the subsystem is checked before anything happens: bad options fail at start,
// before the profile lock is taken or a byte is written; a saga no handler could serve is refused
// when it is started, with nothing written.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { SagaRefusedError, SubsystemOptionsError, defineSaga, startSagaSubsystem } from '../../src-main/index';
import { handlerMap } from '../../src-main/saga/self-handlers';
import { tempDir } from '../helpers/temp-dir';
import { PEERS_DIR, requireBuild } from './helpers';

const CLI = path.resolve(__dirname, '../../dist/cli/launcher-saga.js');

/** The profile folder as it is on disk: a launch that failed its options must leave it as it was. */
const listing = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : null);

describe('startSagaSubsystem options', () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['a peer entry file that does not exist', { peers: { host: { entry: '/nonexistent/host-peer.js' } } }, /option peers\.host\.entry names no file/],
    ['a relative peer entry', { peers: { srv: { entry: 'srv.js' } } }, /option peers\.srv\.entry must be an absolute path/],
    ['a peer the subsystem has no slot for', { peers: { worker: { entry: '/bin/sh' } } }, /peers/],
    ['a handler that is not a function', { self: { greet: 42 } }, /the handler for 'greet' is not a function/],
    ['a handler for an op twice', { self: [['greet', () => 1], ['greet', () => 2]] }, /two handlers were given for 'greet'/],
    ['an unknown option', { retentionn: false }, /retentionn/],
    ['two sagas of one name', { sagas: [defineSaga({ name: 'twice', input: z.object({}), steps: [{ name: 'a', target: 'self', kind: 'read_only', command: () => ({ op: 'a' }) }] }), defineSaga({ name: 'twice', input: z.object({}), steps: [{ name: 'b', target: 'self', kind: 'read_only', command: () => ({ op: 'b' }) }] })] }, /two sagas are named 'twice'/],
  ];
  for (const [what, options, message] of bad) {
    test(`refuses ${what} before the profile is touched`, async () => {
      const dir = path.join(tempDir('options-'), 'profile');
      await assert.rejects(startSagaSubsystem({ userDataDir: dir, retention: false, ...options } as never), (err: unknown) => {
        assert.ok(err instanceof SubsystemOptionsError, String(err));
        assert.match(err.message, message);
        return true;
      });
      assert.equal(listing(dir), null, 'the profile folder was not even created');
    });
  }

  test('a malformed LAUNCHER_CRASH_AT stops the launch at once, exit 2, nothing started or written', () => {
    requireBuild();
    const dir = path.join(tempDir('crash-env-'), 'profile');
    const r = spawnSync(process.execPath, [CLI, 'headless', '--user-data-dir', dir], {
      encoding: 'utf8',
      env: { ...process.env, LAUNCHER_CRASH_AT: 'open_workspace:one:after_pending' },
      timeout: 30_000,
    });
    assert.equal(r.status, 2, `${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /LAUNCHER_CRASH_AT='open_workspace:one:after_pending' is not a crash point/);
    assert.equal(listing(dir), null);
  });
});

describe('handler sets', () => {
  test('each op once, each a function, whatever shape they come in', () => {
    const f = () => ({});
    assert.deepEqual([...handlerMap({ a: f, b: f }).keys()], ['a', 'b']);
    assert.deepEqual([...handlerMap(new Map([['a', f]])).keys()], ['a']);
    assert.throws(() => handlerMap([['a', f], ['a', f]]), /two handlers were given for 'a'/);
    assert.throws(() => handlerMap({ a: 'nope' } as never), /the handler for 'a' is not a function/);
    assert.throws(() => handlerMap([['', f]]), /needs a non-empty op name/);
  });
});

describe('sagas no handler could serve', () => {
  test('a step on a peer that was not given, or a declared op nobody serves, is refused at start with nothing written', async () => {
    requireBuild();
    const dir = tempDir('unroutable-');
    const sub = await startSagaSubsystem({
      userDataDir: dir,
      retention: false,
      self: { local: () => ({}) },
      peers: { host: { entry: path.join(PEERS_DIR, 'host.js') } },
    });
    try {
      const toSrv = defineSaga({ name: 'to_srv', input: z.object({}), steps: [{ name: 'x', target: 'srv', kind: 'read_only', command: () => ({ op: 'noop' }) }] });
      const unknownHostOp = defineSaga({ name: 'unknown_op', input: z.object({}), steps: [{ name: 'y', target: 'host', kind: 'read_only', op: 'teleport', command: () => ({ op: 'teleport' }) }] });
      const unknownUndo = defineSaga({
        name: 'unknown_undo',
        input: z.object({}),
        steps: [{ name: 'z', target: 'self', kind: 'compensatable', op: 'local', undoOps: ['unlocal'], command: () => ({ op: 'local' }), compensate: () => ({ op: 'unlocal' }) }],
      });
      const before = sub.log.maxSagaId();
      for (const [saga, message] of [
        [toSrv, /step 0 'x' \(target srv\) targets srv, and no srv peer was given/],
        [unknownHostOp, /peer host has no handler for 'teleport'/],
        [unknownUndo, /main has no self handler for 'unlocal'/],
      ] as const) {
        assert.throws(() => sub.start(saga, {}), (err: unknown) => err instanceof SagaRefusedError && err.reason === 'unroutable' && message.test(err.message));
      }
      assert.equal(sub.log.maxSagaId(), before, 'nothing was written');
      const served = defineSaga({ name: 'served', input: z.object({}), steps: [{ name: 'h', target: 'host', kind: 'read_only', op: 'noop', command: () => ({ op: 'noop' }) }] });
      assert.equal((await sub.run(served, {})).state, 'completed');
    } finally {
      await sub.shutdown();
    }
  });
});
