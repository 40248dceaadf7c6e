import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { claimLogOwnership } from '../../src-main/boot/boot-owner';
import { processStartTicks } from '../../src-main/boot/process-identity';
import { LOCK_FILE_NAME, LOCK_HOLDER_FILE_NAME, ProfileLockedError, acquireProfileLock } from '../../src-main/boot/profile-lock';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { tempDir } from '../helpers/temp-dir';
import { killHard, startTs } from './child';
import { requireBuild } from '../helpers/workspace-boot';

const BOOT_CHILD = path.join(import.meta.dirname, 'fixtures', 'boot-child.ts');
requireBuild();
const notLinux = process.platform !== 'linux' && 'process start times are read from /proc, which only Linux has';

function sagaState(dir: string, sagaId: number): string | undefined {
  const log = SagaLog.open(path.join(dir, LOG_FILE_NAME), { readonly: true });
  try {
    return log.saga(sagaId)?.state;
  } finally {
    log.close();
  }
}

describe('one launch per profile, even after launcher.lock is deleted', () => {
  test('a second launch after launcher.lock was deleted is refused naming the first, whose running saga stays running', async () => {
    const dir = tempDir('owner-');
    const first = startTs(BOOT_CHILD, [dir, 'hold']);
    const sagaId = Number((await first.waitFor(/^running \d+$/)).split(' ')[1]);

    // The common reflex with a "stale lock": delete it (and its pid file) while the app runs.
    fs.rmSync(path.join(dir, LOCK_FILE_NAME));
    fs.rmSync(path.join(dir, LOCK_HOLDER_FILE_NAME), { force: true });
    const second = startTs(BOOT_CHILD, [dir, 'try']);
    const refusal = await second.waitFor(/^(error|booted) /);
    assert.match(refusal, new RegExp(`^error ProfileLockedError: the profile .* is in use by another launcher process \\(pid ${first.pid}\\), recorded in the saga log`));
    assert.equal((await second.exited).code, 3);
    assert.equal(sagaState(dir, sagaId), 'running', 'the live saga was not marked by the refused launch');

    // Once the first is gone (SIGKILL), the next launch recovers its saga as usual.
    await killHard(first);
    const third = startTs(BOOT_CHILD, [dir, 'try']);
    assert.equal(await third.waitFor(/^(error|booted) /), `booted ${sagaId}`);
    await third.exited;
    assert.equal(sagaState(dir, sagaId), 'failed_compensation');
  });

  test('an owner record naming a live process is honoured only while that process has the recorded start time', { skip: notLinux }, async () => {
    const dir = tempDir('owner-');
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      await new Promise<void>((resolve) => other.once('spawn', resolve));
      const ticks = processStartTicks(other.pid!);
      assert.notEqual(ticks, null);
      const log = SagaLog.open(path.join(dir, LOG_FILE_NAME));
      // The other process "owned" the log through a lock file that no longer exists (lockFileId 1).
      assert.deepEqual(log.claimOwnership({ bootId: 'other-boot', pid: other.pid!, startTicks: ticks, lockFileId: 1 }, () => false), []);
      const lock = acquireProfileLock(dir);
      try {
        assert.throws(
          () => claimLogOwnership(log, dir, { bootId: 'this-boot', lock }),
          (e: unknown) => e instanceof ProfileLockedError && e.holderPid === other.pid && /boot other-boot/.test(e.message),
        );
        assert.deepEqual(log.bootOwners().map((o) => o.bootId), ['other-boot'], 'a refused claim writes nothing');

        // Same pid, other start time: the pid was reused by an unrelated process, so the record is stale.
        log.claimOwnership({ bootId: 'other-boot', pid: other.pid!, startTicks: ticks! + 1, lockFileId: 1 }, () => false);
        claimLogOwnership(log, dir, { bootId: 'this-boot', lock });
        assert.deepEqual(log.bootOwners().map((o) => [o.bootId, o.pid]), [['this-boot', process.pid]]);
      } finally {
        lock.release();
        log.close();
      }
    } finally {
      other.kill('SIGKILL');
    }
  });

  test('a record left by a launch that held the very lock file now held is stale, even with the same pid', () => {
    const dir = tempDir('owner-');
    const log = SagaLog.open(path.join(dir, LOG_FILE_NAME));
    try {
      const first = acquireProfileLock(dir);
      claimLogOwnership(log, dir, { bootId: 'first', lock: first });
      // While the first launch of this process holds its lock, a second claim in the same process is refused.
      assert.throws(() => claimLogOwnership(log, dir, { bootId: 'second', lock: { ...first, fileId: null, held: true } }), ProfileLockedError);
      first.release();
      const second = acquireProfileLock(dir);
      claimLogOwnership(log, dir, { bootId: 'second', lock: second });
      assert.deepEqual(log.bootOwners().map((o) => o.bootId), ['second']);
      second.release();
    } finally {
      log.close();
    }
  });

  test('garbage in launcher.lock is replaced, with a warning saying so, and the lock works', async () => {
    const dir = tempDir('lock-garbage-');
    fs.writeFileSync(path.join(dir, LOCK_FILE_NAME), 'this is not an SQLite file, just bytes a tool left here\n'.repeat(20));
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const lock = acquireProfileLock(dir);
      await new Promise((r) => setImmediate(r));
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!.message, /launcher\.lock held bytes that are not a lock \(no process held it\); it was replaced/);
      assert.throws(() => acquireProfileLock(dir), ProfileLockedError);
      lock.release();
    } finally {
      process.off('warning', onWarning);
    }
  });
});
