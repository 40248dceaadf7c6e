import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ProfileDirError, ensureProfileDir } from '../../src-main/boot/profile-dir';
import { acquireProfileLock } from '../../src-main/boot/profile-lock';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/temp-dir';

const linuxOnly = process.platform !== 'linux' && '/proc is a Linux pseudo-filesystem';

describe('the user-data dir is checked before anything is created in it', () => {
  test('a new folder is created; an existing one is accepted', () => {
    const dir = path.join(tempDir('profile-dir-'), 'a', 'b');
    assert.equal(ensureProfileDir(dir), dir);
    assert.ok(fs.statSync(dir).isDirectory());
    assert.equal(ensureProfileDir(dir), dir);
  });

  test('a file given as the folder, or as one of its parents, is refused naming it, and nothing is created', () => {
    const root = tempDir('profile-dir-');
    const file = path.join(root, 'passwd');
    fs.writeFileSync(file, 'root:x:0:0\n');
    assert.throws(() => ensureProfileDir(file), (e: unknown) => e instanceof ProfileDirError && e.message === `cannot use ${file} as the user-data dir: it is a file, not a folder; choose a folder path (a new one is created); nothing was changed`);
    assert.throws(() => ensureProfileDir(path.join(file, 'profile')), /: .*passwd is a file, not a folder/);
    assert.deepEqual(fs.readdirSync(root), ['passwd']);
    assert.equal(fs.readFileSync(file, 'utf8'), 'root:x:0:0\n');
  });

  test('a path under /proc is refused at once, without a mkdir', { skip: linuxOnly }, () => {
    for (const p of ['/proc/self/profile', '/proc', '/sys/kernel/x', '/dev/shm-not/x']) {
      assert.throws(() => ensureProfileDir(p), /a kernel pseudo-filesystem where no file can be stored; choose a folder on a disk/);
    }
  });

  test('a symlink into /proc is seen through', { skip: linuxOnly }, () => {
    const link = path.join(tempDir('profile-dir-'), 'link');
    fs.symlinkSync('/proc/self', link);
    assert.throws(() => ensureProfileDir(path.join(link, 'profile')), /under \/proc/);
  });

  test('a folder where the saga log or the lock file should be is named, and left alone', () => {
    for (const name of ['launcher-sagas.db', 'launcher-sagas.db-wal', 'launcher.lock']) {
      const dir = tempDir('profile-dir-');
      fs.mkdirSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name, 'keep.txt'), 'mine');
      assert.throws(() => acquireProfileLock(dir), (e: unknown) => e instanceof ProfileDirError && e.message.includes(`${path.join(dir, name)} is a folder where the app keeps a file; move it out of the way`));
      assert.equal(fs.readFileSync(path.join(dir, name, 'keep.txt'), 'utf8'), 'mine');
    }
  });

  test('headless: a directory as the log, a file as the folder, and /proc each fail in one sentence, exit 1, quickly', { skip: linuxOnly }, () => {
    const dir = tempDir('profile-dir-');
    fs.mkdirSync(path.join(dir, 'launcher-sagas.db'));
    const file = path.join(tempDir('profile-dir-'), 'passwd');
    fs.writeFileSync(file, 'x');
    const cases: [string, RegExp][] = [
      [dir, /launcher-sagas\.db is a folder where the app keeps a file/],
      [file, /passwd as the user-data dir: it is a file, not a folder/],
      ['/proc/self/nope', /under \/proc, a kernel pseudo-filesystem/],
    ];
    for (const [userDataDir, message] of cases) {
      const r = runCli(['headless', '--user-data-dir', userDataDir]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.doesNotMatch(r.stderr, /EISDIR|EEXIST/);
    }
  });
});
