import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ID_BLOCK, ID_RESERVATION_FILE, IdReservation } from '../../src-main/saga/log/id-reservation';
import { tempDir } from '../helpers/temp-dir';

const stored = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, ID_RESERVATION_FILE), 'utf8')) as { reservedThrough: number }).reservedThrough;

describe('id reservation', () => {
  test('the first id writes a block; past half of it the next block is written ahead, and ids then cross without a write', async () => {
    const dir = tempDir('ids-ahead-');
    const ids = IdReservation.in(dir);
    ids.ensure(1);
    assert.equal(stored(dir), ID_BLOCK);
    ids.ensure(ID_BLOCK / 2);
    assert.equal(ids.reservedThrough, ID_BLOCK, 'not yet past half');
    ids.ensure(ID_BLOCK / 2 + 1);
    await ids.settled();
    assert.equal(stored(dir), 2 * ID_BLOCK, 'the next block landed in the background');
    assert.equal(ids.reservedThrough, 2 * ID_BLOCK);
    // Crossing the old boundary needs no write now: the file still says the same afterwards.
    const before = fs.statSync(path.join(dir, ID_RESERVATION_FILE)).ino;
    ids.ensure(ID_BLOCK + 1);
    assert.equal(fs.statSync(path.join(dir, ID_RESERVATION_FILE)).ino, before, 'no rename, so no write');
    assert.deepEqual(fs.readdirSync(dir).sort(), [ID_RESERVATION_FILE], 'no temporary file left behind');
    // A later launch reads what was written ahead.
    assert.equal(IdReservation.in(dir).reservedThrough, 2 * ID_BLOCK);
  });

  test('a synchronous write that overtakes the one ahead wins: the file never goes back to a smaller reservation', async () => {
    const dir = tempDir('ids-overtaken-');
    const ids = IdReservation.in(dir);
    ids.ensure(1);
    ids.ensure(ID_BLOCK / 2 + 1); // starts writing 2 * ID_BLOCK ahead
    ids.ensure(ID_BLOCK + ID_BLOCK / 2); // past the current block before that landed: written now, through 2,499
    const now = ID_BLOCK + ID_BLOCK / 2 + ID_BLOCK - 1;
    assert.equal(stored(dir), now);
    await ids.settled();
    assert.equal(stored(dir), now, 'the write ahead (2,000) was dropped, not renamed over 2,499');
    assert.equal(ids.reservedThrough, now);
    assert.deepEqual(fs.readdirSync(dir).sort(), [ID_RESERVATION_FILE]);
  });

  test("a temporary file a killed launch left is removed at the next open, and the stored reservation read", () => {
    const dir = tempDir('ids-torn-');
    fs.writeFileSync(path.join(dir, ID_RESERVATION_FILE), JSON.stringify({ reservedThrough: 3000 }));
    fs.writeFileSync(path.join(dir, `${ID_RESERVATION_FILE}.tmp-4242-ahead`), '{"reservedThrough":40');
    assert.equal(IdReservation.in(dir).reservedThrough, 3000);
    assert.deepEqual(fs.readdirSync(dir), [ID_RESERVATION_FILE]);
  });
});
