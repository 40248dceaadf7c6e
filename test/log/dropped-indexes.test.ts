// Version 9 drops idx_launcher_saga_step_state, an index of the launcher's own version-1 DDL: a
// file that has it loses it, a file without it is left alone, and the launcher's lineage, which
// puts it back with CREATE INDEX IF NOT EXISTS and re-stamps 1, is dropped again on the next open.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { SCHEMA_VERSION } from '../../src-main/saga/log/schema';
import { tempDir } from '../helpers/temp-dir';
import { launcherOpen, launcherRows } from '../fixtures/launcher-files';

const DROPPED = 'idx_launcher_saga_step_state';

function inspect(file: string): { indexes: string[]; version: number; steps: number } {
  const db = new Database(file, { readonly: true });
  try {
    return {
      indexes: db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name`).pluck().all() as string[],
      version: db.pragma('user_version', { simple: true }) as number,
      steps: db.prepare(`SELECT COUNT(*) FROM launcher_saga_step`).pluck().get() as number,
    };
  } finally {
    db.close();
  }
}

/** A log this build wrote: one completed saga of two steps, closed and checkpointed. */
function ourLog(file: string): void {
  const log = SagaLog.open(file);
  const id = log.startSaga({ name: 'open_workspace', inputJson: '{"name":"ours"}', plannedSteps: 2, firstStep: { name: 'a', target: 'srv', cmdJson: '{"op":"a"}' } });
  log.finishStepAndStartNext(id, 0, '{"x":1}', { name: 'b', target: 'self', cmdJson: '{"op":"b"}' });
  log.finishLastStep(id, 1, '{"y":2}');
  log.checkpoint();
  log.close();
}

describe('version 9: the step-state index goes', () => {
  test('a new log never has it', () => {
    const file = path.join(tempDir(), LOG_FILE_NAME);
    ourLog(file);
    const got = inspect(file);
    assert.equal(got.version, SCHEMA_VERSION);
    assert.ok(!got.indexes.includes(DROPPED), got.indexes.join(', '));
    assert.ok(got.indexes.includes('sqlite_autoindex_launcher_saga_step_1'), 'the primary key stays');
    assert.ok(got.indexes.includes('idx_launcher_saga_state'), 'the launcher index that queries use stays');
  });

  test('a version-8 file that has it loses it, its rows kept and stamped 9', () => {
    const file = path.join(tempDir(), LOG_FILE_NAME);
    ourLog(file);
    const db = new Database(file);
    db.exec(`CREATE INDEX ${DROPPED} ON launcher_saga_step(saga_id, state)`);
    db.pragma('user_version = 8');
    db.close();
    assert.ok(inspect(file).indexes.includes(DROPPED));
    const log = SagaLog.open(file);
    assert.deepEqual(log.saga(1)?.steps.map((s) => [s.name, s.state, s.outputJson]), [
      ['a', 'succeeded', '{"x":1}'],
      ['b', 'succeeded', '{"y":2}'],
    ]);
    log.close();
    const got = inspect(file);
    assert.ok(!got.indexes.includes(DROPPED), got.indexes.join(', '));
    assert.equal(got.version, SCHEMA_VERSION);
    assert.equal(got.steps, 2);
  });

  test("the launcher's lineage puts it back with its own DDL and re-stamps 1; the next open drops it again", () => {
    const file = path.join(tempDir(), LOG_FILE_NAME);
    ourLog(file);
    // An older launcher build opens the file: its idempotent DDL, its stamp, its own rows.
    const older = new Database(file);
    older.pragma('journal_mode = DELETE');
    launcherOpen(older, 1);
    launcherRows(older);
    older.close();
    const between = inspect(file);
    assert.ok(between.indexes.includes(DROPPED), 'the launcher DDL recreated the index');
    assert.equal(between.version, 1);

    const log = SagaLog.open(file);
    assert.equal(log.saga(1)?.steps.length, 2, "this build's saga is there");
    assert.equal(log.saga(8)?.steps[0]?.state, 'pending', "the older build's saga is there");
    assert.equal(log.startSaga({ name: 'next', inputJson: '{}' }), 9);
    log.close();
    const after = inspect(file);
    assert.ok(!after.indexes.includes(DROPPED), after.indexes.join(', '));
    assert.equal(after.version, SCHEMA_VERSION);

    // And round again: the same file through the launcher's DDL and back, with nothing lost.
    const again = new Database(file);
    launcherOpen(again, 1);
    again.close();
    const reopened = SagaLog.open(file);
    assert.deepEqual(reopened.recent({ limit: 10 }).map((s) => s.sagaId), [9, 8, 7, 1]);
    reopened.close();
    assert.ok(!inspect(file).indexes.includes(DROPPED));
  });

  test('an index of that name over other columns is not ours: it is left alone', () => {
    const file = path.join(tempDir(), LOG_FILE_NAME);
    ourLog(file);
    const db = new Database(file);
    db.exec(`CREATE INDEX ${DROPPED} ON launcher_saga_step(name)`);
    db.pragma('user_version = 8');
    db.close();
    SagaLog.open(file).close();
    const got = inspect(file);
    assert.ok(got.indexes.includes(DROPPED));
    assert.equal(got.version, SCHEMA_VERSION);
  });
});
