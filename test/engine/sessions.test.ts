// Sessions in both modes host knows: forked processes (the Node host) and worker threads (the
// Electron host, whose runAsNode fuse is off). Thread mode is plain worker_threads, so it runs
// here under Node with the same built session entry the Electron host loads.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SessionManager } from '../../src-main/workspace-app/session-manager';
import { SESSION_MODE_ENV, sessionModeFor, sessionModeFromEnv } from '../../src-main/workspace-app/session-mode';
import { closeWorkspace, openWorkspace } from '../../src-main/workspace-app/workspace-sagas';
import { DIST_DIR, type TestEngine, isAlive, requireBuild, startTestEngine, waitForExit } from './helpers';

const ENTRY = path.join(DIST_DIR, 'peers', 'session-process.js');
const live = () => new AbortController().signal;

describe('session mode', () => {
  it('is fork when unset, thread when asked, and a clear error otherwise', () => {
    assert.equal(sessionModeFromEnv({}), 'fork');
    assert.equal(sessionModeFromEnv({ [SESSION_MODE_ENV]: 'thread' }), 'thread');
    assert.throws(() => sessionModeFromEnv({ [SESSION_MODE_ENV]: 'process' }), /LAUNCHER_SESSION_MODE='process' is not a session mode \(use fork or thread\)/);
  });

  it('is always thread in an Electron utility process, whatever the environment says', () => {
    assert.equal(sessionModeFor('utility', { [SESSION_MODE_ENV]: 'fork' }), 'thread');
    assert.equal(sessionModeFor('fork', {}), 'fork');
  });
});

describe('sessions as worker threads', () => {
  before(requireBuild);

  it('start runs the session inside this process; stop ends it and is idempotent', async () => {
    const sessions = new SessionManager(ENTRY, 'thread');
    const s = await sessions.start('ws-1', live());
    assert.equal(s.pid, process.pid, 'a thread session runs in host, not in a process of its own');
    assert.deepEqual(sessions.list(), [s]);
    assert.deepEqual(await sessions.stop(s.sessionId), { sessionId: s.sessionId, stopped: true, workspaceId: 'ws-1' });
    assert.deepEqual(sessions.list(), []);
    assert.deepEqual(await sessions.stop(s.sessionId), { sessionId: s.sessionId, stopped: false, workspaceId: null });
  });

  it('stopAll ends every thread session', async () => {
    const sessions = new SessionManager(ENTRY, 'thread');
    await Promise.all([sessions.start('ws-a', live()), sessions.start('ws-b', live())]);
    assert.equal(sessions.list().length, 2);
    await sessions.stopAll();
    assert.deepEqual(sessions.list(), []);
  });

  it('a cancelled start and a broken entry fail with a reason and leave no session', async () => {
    const sessions = new SessionManager(ENTRY, 'thread');
    const ac = new AbortController();
    ac.abort(new Error('user gave up'));
    await assert.rejects(sessions.start('ws-2', ac.signal), /session for workspace 'ws-2' did not start: the step was cancelled \(user gave up\)/);
    const broken = new SessionManager(path.join(DIST_DIR, 'peers', 'no-such-session.js'), 'thread');
    await assert.rejects(broken.start('ws-3', live()), /session for workspace 'ws-3' did not start: .*no-such-session/);
    assert.deepEqual([...sessions.list(), ...broken.list()], []);
  });
});

describe('sessions as forked processes', () => {
  before(requireBuild);

  it('each session is its own process, which stop ends', async () => {
    const sessions = new SessionManager(ENTRY, 'fork');
    const s = await sessions.start('ws-4', live());
    assert.notEqual(s.pid, process.pid);
    assert.ok(isAlive(s.pid));
    assert.equal((await sessions.stop(s.sessionId)).stopped, true);
    assert.ok(await waitForExit(s.pid), 'the session process exited');
  });
});

describe('host in thread mode, as the Electron host runs it', () => {
  let e: TestEngine;
  before(async () => {
    e = await startTestEngine({ peerEnv: { [SESSION_MODE_ENV]: 'thread' } });
  });
  after(async () => {
    await e.close();
  });

  it('open_workspace starts a session thread in host; close_workspace stops it', async () => {
    const open = await e.coordinator.run(openWorkspace, { name: 'threaded', owner: 'tester' });
    assert.equal(open.state, 'completed', open.failureReason ?? '');
    const [ws, session, view] = open.outputs as [{ workspaceId: string }, { sessionId: string; pid: number }, { viewId: string }];
    assert.equal(session.pid, e.peers.pid('host'), 'the session runs inside host');
    const close = await e.coordinator.run(closeWorkspace, { workspaceId: ws.workspaceId, sessionId: session.sessionId, viewId: view.viewId });
    assert.equal(close.state, 'completed', close.failureReason ?? '');
    assert.deepEqual(close.outputs[2], { sessionId: session.sessionId, stopped: true, workspaceId: ws.workspaceId });
  });
});
