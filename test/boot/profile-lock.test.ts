import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { LOCK_HOLDER_FILE_NAME, ProfileLockedError, acquireProfileLock } from '../../src-main/boot/profile-lock';
import { tempDir } from '../helpers/temp-dir';
import { killHard, startTs } from './child';

const HOLDER = path.join(import.meta.dirname, 'fixtures', 'hold-lock.ts');

describe('profile lock', () => {
  test('a second process is refused while the first lives, naming its pid; after SIGKILL the next one gets it', async () => {
    const dir = tempDir('lock-');
    const first = startTs(HOLDER, [dir]);
    await first.waitFor(/^locked$/);

    const second = startTs(HOLDER, [dir]);
    const refusal = await second.waitFor(/^refused: /);
    assert.equal((await second.exited).code, 3);
    assert.match(refusal, new RegExp(`in use by another launcher process \\(pid ${first.pid}\\)`));

    assert.throws(
      () => acquireProfileLock(dir),
      (e: unknown) => e instanceof ProfileLockedError && e.holderPid === first.pid && e.message.includes(dir),
    );

    await killHard(first);
    const lock = acquireProfileLock(dir);
    assert.equal(fs.readFileSync(path.join(dir, LOCK_HOLDER_FILE_NAME), 'utf8').trim(), String(process.pid));
    lock.release();
    assert.ok(!fs.existsSync(path.join(dir, LOCK_HOLDER_FILE_NAME)), 'an orderly release removes the pid file');
  });

  test('within one process the lock is exclusive too; a refused attempt does not drop it; a release lets the next holder in', async () => {
    const dir = tempDir('lock-');
    const a = acquireProfileLock(dir);
    assert.throws(() => acquireProfileLock(dir), ProfileLockedError);
    // POSIX locks belong to the process and closing any descriptor of the file drops them all;
    // the refused attempt closed its connection, and another process must still be refused.
    const other = startTs(HOLDER, [dir]);
    assert.match(await other.waitFor(/^refused: /), new RegExp(`pid ${process.pid}`));
    a.release();
    a.release();
    const b = acquireProfileLock(dir);
    b.release();
  });
});
