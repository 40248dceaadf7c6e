// A log that is lost, whole or in part, never takes its sagas' ids or committed bytes with it:
// ids continue above every id the profile reserved (kept outside the file, in blocks), and a -wal
// left without its database is kept, paired again with the file a cut-short move aside renamed.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { LOG_FILE_NAME, defineSaga } from '../../src-main/index';
import { ID_BLOCK, ID_RESERVATION_FILE } from '../../src-main/saga/log/id-reservation';
import { tempDir } from '../helpers/temp-dir';
import { bootWorkspace } from '../helpers/workspace-boot';

const tiny = defineSaga({ name: 'tiny', input: z.object({}), steps: [{ name: 'noop', target: 'self', kind: 'read_only', command: () => ({ op: 'noop' }) }] });

async function runSome(dir: string, n: number): Promise<number[]> {
  const app = await bootWorkspace({ userDataDir: dir, retention: false });
  try {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push((await app.run(tiny, {})).sagaId);
    return ids;
  } finally {
    await app.shutdown();
  }
}

describe('a lost log', () => {
  test('ids reserved outside the file: one write per block, and the file says how far', async () => {
    const dir = tempDir('ids-');
    const ids = await runSome(dir, 3);
    assert.deepEqual(ids, [1, 2, 3]);
    const stored = JSON.parse(fs.readFileSync(path.join(dir, ID_RESERVATION_FILE), 'utf8')) as { reservedThrough: number };
    assert.equal(stored.reservedThrough, ID_BLOCK, 'the first block covers the first ids');
  });

  test('after a header-damaged log whose highest id cannot be read is moved aside, no id is issued again', async () => {
    const dir = tempDir('ids-damaged-');
    const before = await runSome(dir, 30);
    const file = path.join(dir, LOG_FILE_NAME);
    // Garbage over the header: nothing in the file can be read any more, its highest id included.
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(100, 0x41), 0, 100, 0);
    fs.closeSync(fd);
    const app = await bootWorkspace({ userDataDir: dir, retention: false });
    try {
      const [moved] = app.recovery.movedAside;
      assert.ok(moved, 'the damaged log was moved aside');
      assert.equal(moved.highestSagaId, undefined, "its highest id could not be read from it");
      const next = (await app.run(tiny, {})).sagaId;
      assert.ok(next > Math.max(...before), `the next id (${next}) is above every id the lost file held (up to ${Math.max(...before)})`);
    } finally {
      await app.shutdown();
    }
  });

  test('a deleted log: the next one starts above the ids it had issued', async () => {
    const dir = tempDir('ids-deleted-');
    const before = await runSome(dir, 5);
    for (const f of fs.readdirSync(dir).filter((n) => n.startsWith(LOG_FILE_NAME))) fs.rmSync(path.join(dir, f));
    const after = await runSome(dir, 1);
    assert.ok(after[0]! > Math.max(...before));
  });

  test('a -wal without its database is kept byte for byte and reported, never discarded', async () => {
    const dir = tempDir('orphan-wal-');
    await runSome(dir, 1);
    const file = path.join(dir, LOG_FILE_NAME);
    fs.rmSync(file);
    const walBytes = Buffer.from('committed frames the deleted log never got back');
    fs.writeFileSync(`${file}-wal`, walBytes);
    const app = await bootWorkspace({ userDataDir: dir, retention: false });
    try {
      const [moved] = app.recovery.movedAside;
      assert.ok(moved, 'reported in the recovery report');
      assert.match(moved.reason, /launcher-sagas\.db-wal were found without the log itself/);
      assert.deepEqual(fs.readFileSync(`${moved.to}-wal`), walBytes);
      assert.ok(app.log.maxSagaId() >= 1, 'and ids continue above the lost ones');
    } finally {
      await app.shutdown();
    }
  });

  test('a move aside cut short between its renames is completed at the next launch', async () => {
    const dir = tempDir('cut-short-');
    await runSome(dir, 2);
    const file = path.join(dir, LOG_FILE_NAME);
    // What a kill between the two renames leaves: the database renamed, its -wal still under the old name.
    const aside = `${file}.bad-2026-01-01T00-00-00-000Z`;
    fs.renameSync(file, aside);
    fs.writeFileSync(`${file}-wal`, Buffer.from('the crash-left wal'));
    const app = await bootWorkspace({ userDataDir: dir, retention: false });
    try {
      const [moved] = app.recovery.movedAside;
      assert.equal(moved?.to, aside);
      assert.match(moved?.reason ?? '', /a move aside cut short by a crash; completed/);
      assert.equal(fs.readFileSync(`${aside}-wal`, 'utf8'), 'the crash-left wal');
      assert.equal(fs.existsSync(`${file}-wal`) && fs.readFileSync(`${file}-wal`, 'utf8') === 'the crash-left wal', false);
    } finally {
      await app.shutdown();
    }
  });
});
