// The Electron host's failure path while starting (src-main/electron/startup-guard.ts), with a
// real boot under Node: real forked peers, a real saga log and profile lock. Electron's error
// box and app.exit are plain recording callbacks; what the test checks is what is left running
// at the moment exit(1) is called.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SagaSubsystem as BootedApp } from '../../src-main/index';
import { bootWorkspace as boot, requireBuild } from '../helpers/workspace-boot';
import { ProfileLockedError, acquireProfileLock } from '../../src-main/boot/profile-lock';
import { STARTUP_ERROR_TITLE, type StartupFailureIo, createStartupGuard } from '../../src-main/electron/startup-guard';
import { tempDir } from '../helpers/temp-dir';
import { isAlive } from '../../e2e/support/processes';

requireBuild();

function profileIsFree(dir: string): boolean {
  try {
    acquireProfileLock(dir).release();
    return true;
  } catch (err) {
    if (err instanceof ProfileLockedError) return false;
    throw err;
  }
}

type Call = { kind: 'stderr' | 'box' | 'exit'; text: string };

/** Records the calls in order; at exit, also what was still running at that moment. */
function recordingIo(atExit: () => void = () => {}, extra: Partial<StartupFailureIo> = {}) {
  const calls: Call[] = [];
  const io: StartupFailureIo = {
    writeError: (line) => calls.push({ kind: 'stderr', text: line }),
    showError: (title, message) => calls.push({ kind: 'box', text: `${title} | ${message}` }),
    exit: (code) => {
      atExit();
      calls.push({ kind: 'exit', text: String(code) });
    },
    ...extra,
  };
  return { io, calls };
}

describe('startup guard', () => {
  test('a throw after boot: peers stopped and the profile freed before exit 1, why said once in one sentence', async (t) => {
    const dir = tempDir('startup-guard-');
    let booted: BootedApp | null = null;
    const peerPids: number[] = [];
    const atExit = { peersAlive: [] as number[], profileFree: false };
    const { io, calls } = recordingIo(() => {
      atExit.peersAlive = peerPids.filter(isAlive);
      atExit.profileFree = profileIsFree(dir);
    });
    const guard = createStartupGuard(io);
    // Whatever the guard did, nothing of this test may outlive it (shutdown is idempotent).
    t.after(() => booted?.shutdown(0));

    const started = await guard.run(async () => {
      booted = await boot({ userDataDir: dir, retention: false });
      const running = booted;
      guard.booted((graceMs) => running.shutdown(graceMs));
      peerPids.push(running.peers.pid('host')!, running.peers.pid('srv')!);
      // The peers run and the profile is held: the checks at exit can fail.
      assert.deepEqual(peerPids.filter(isAlive), peerPids);
      assert.equal(profileIsFree(dir), false);
      throw new Error('Invalid menu template: item 3 has no label.\n    at buildFromTemplate (menu.js:1:1)');
    });

    assert.equal(started, false);
    assert.ok(booted, 'boot ran');
    const sentence = 'the app stopped while starting, after its saga log was opened: Invalid menu template: item 3 has no label';
    assert.deepEqual(calls, [
      { kind: 'stderr', text: sentence },
      { kind: 'box', text: `${STARTUP_ERROR_TITLE} | ${sentence}` },
      { kind: 'exit', text: '1' },
    ]);
    assert.deepEqual(atExit, { peersAlive: [], profileFree: true });
  });

  test('a throw in boot itself: its own message, nothing to shut down, exit 1', async () => {
    const dir = tempDir('startup-guard-locked-');
    const other = acquireProfileLock(dir);
    try {
      const { io, calls } = recordingIo();
      const guard = createStartupGuard(io);
      const started = await guard.run(async () => {
        await boot({ userDataDir: dir, retention: false });
      });
      assert.equal(started, false);
      const stderr = calls.filter((c) => c.kind === 'stderr').map((c) => c.text);
      assert.equal(stderr.length, 1);
      assert.match(stderr[0]!, /^the profile .* is in use by another launcher process \(pid \d+\); close it or use another user-data dir \(this launch changed nothing\)$/);
      assert.deepEqual(
        calls.map((c) => c.kind),
        ['stderr', 'box', 'exit'],
      );
      assert.equal(calls.at(-1)!.text, '1');
    } finally {
      other.release();
    }
  });

  test('a shutdown that never settles does not keep the failed app alive, and the message says so', async () => {
    const { io, calls } = recordingIo(undefined, { shutdownDeadlineMs: 50 });
    const guard = createStartupGuard(io);
    const started = await guard.run(async () => {
      guard.booted(() => new Promise<void>(() => {}));
      throw new Error('no window could be created');
    });
    assert.equal(started, false);
    assert.deepEqual(calls, [
      {
        kind: 'stderr',
        text: 'the app stopped while starting, after its saga log was opened: no window could be created; shutting down also failed (it did not finish within 50 ms)',
      },
      {
        kind: 'box',
        text: `${STARTUP_ERROR_TITLE} | the app stopped while starting, after its saga log was opened: no window could be created; shutting down also failed (it did not finish within 50 ms)`,
      },
      { kind: 'exit', text: '1' },
    ]);
  });

  test('a shutdown that throws is named, and exit still follows; a non-Error throw is described', async () => {
    const { io, calls } = recordingIo();
    const guard = createStartupGuard(io);
    await guard.run(async () => {
      guard.booted(async () => {
        throw new Error('peer srv did not stop.');
      });
      throw 'ipc registration refused'; // eslint-disable-line no-throw-literal
    });
    assert.equal(
      calls[0]?.text,
      'the app stopped while starting, after its saga log was opened: ipc registration refused; shutting down also failed (peer srv did not stop)',
    );
    assert.deepEqual(calls.at(-1), { kind: 'exit', text: '1' });
  });

  test('a start that finishes: no box, no exit, nothing shut down', async () => {
    let shutdowns = 0;
    const { io, calls } = recordingIo();
    const guard = createStartupGuard(io);
    const started = await guard.run(async () => {
      guard.booted(async () => {
        shutdowns++;
      });
    });
    assert.equal(started, true);
    assert.deepEqual(calls, []);
    assert.equal(shutdowns, 0);
  });
});
