// Every statement the log prepares, read back with EXPLAIN QUERY PLAN: none scans a saga table,
// each keeps the index it was written for, and every index the file maintains is read by some
// query (an index nothing reads is bytes and write time for nothing). Plans do not depend on the
// row count here: the log never runs ANALYZE, so SQLite plans from the schema alone.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { tempDir } from '../helpers/temp-dir';

const prepared = new Set<string>();
const realPrepare = Database.prototype.prepare;

before(() => {
  // Observes the real library's calls; every statement still runs as written.
  Database.prototype.prepare = function (this: Database.Database, sql: string) {
    prepared.add(sql);
    return realPrepare.call(this, sql);
  } as typeof realPrepare;
});
after(() => {
  Database.prototype.prepare = realPrepare;
});

/** Runs every read and write the log has, so each of its statements gets prepared. */
function exercise(file: string): void {
  const log = SagaLog.open(file);
  const next = { name: 'b', target: 'srv', cmdJson: '{"op":"b"}' } as const;
  const done = log.startSaga({ name: 'open_workspace', inputJson: '{"name":"w"}', firstStep: { name: 'a', target: 'self', cmdJson: '{"op":"a"}' } });
  log.finishStepAndStartNext(done, 0, '{}', next);
  log.finishLastStep(done, 1, '{}');
  const undone = log.startSaga({ name: 'close_workspace', inputJson: '{}', firstStep: next });
  log.finishStep(undone, 0, '{}');
  log.markCompensating(undone, 'x');
  const undo = log.appendCompensation({ sagaId: undone, compensatesIndex: 0, name: 'undo b', target: 'srv', cmdJson: '{"op":"c"}' });
  log.finishCompensation(undone, undo, '{}');
  log.terminate(undone, 'failed', 'x');
  const stuck = log.startSaga({ name: 'open_workspace', inputJson: '{}', firstStep: next });
  log.startStep({ sagaId: log.startSaga({ name: 'x', inputJson: '{}' }), stepIndex: 0, name: 'a', target: 'host', cmdJson: '{}' });
  log.failStep(4, 0, 'no', 'error');
  log.recoverInterrupted({ bootId: 'boot-1', movedAside: [], plan: (u) => u.map((s) => ({ sagaId: s.sagaId, name: s.name, reason: 'r', steps: [] }) as never) });
  log.markFailedCompensation(stuck, 'again');
  log.recordReconciliation(
    log.stepsToReconcile().map((s) => ({ sagaId: s.sagaId, stepIndex: s.stepIndex, answer: 'unknown', why: 'w', source: 'srv', outputJson: null, sentence: 's' })),
  );
  log.markReviewed(stuck, 'op', 'n');
  log.markReviewedMany([stuck], 'op', 'n');
  const action = log.beginOperatorCompensation(stuck, 'op', 'n');
  log.finishOperatorCompensation(stuck, action, 'failed_compensation', 'r');
  log.resolveFromLog(stuck, 'failed', 'r', 'op', 'n');
  log.operatorActions(stuck);
  log.raiseIdFloor(10);
  log.claimOwnership({ bootId: 'boot-1', pid: process.pid, startTicks: null, lockFileId: null }, () => false);
  log.bootOwners();
  log.readRecoveryReports(5);
  log.readRecoveryReports(5, 'boot-1');
  for (const state of [undefined, 'failed'] as const) {
    for (const name of [undefined, 'open_workspace']) {
      for (const hideReviewed of [false, true]) log.recent({ limit: 5, state, name, hideReviewed, beforeId: 9 });
    }
  }
  log.search({ limit: 5, names: ['open_workspace', 'close_workspace'], state: 'failed', hideReviewed: true });
  log.search({ limit: 5, afterId: 1, state: 'completed' });
  log.search({ limit: 5, inputContains: 'w', inputScanRows: 100 });
  log.search({ limit: 5, failureKind: 'error', inputScanRows: 100, afterId: 0 });
  log.search({ limit: 5, recoveredBy: 'boot-1', minId: 1, maxId: 9 });
  log.summariesOf([1, 2]);
  log.sagaNames();
  log.idStartedAtOrAfter('2000-01-01');
  log.keyInputsOf([1], { open_workspace: 'name' }, 'id');
  log.reviewedAmong([1, stuck]);
  log.saga(done);
  log.stepsOf([done, undone]);
  log.countInState('failed');
  log.countUnreviewed();
  log.unresolved();
  log.idBeyondNewest(1);
  log.pruneFinished({ endedBefore: new Date(0), upToId: 1, batchSize: 10 });
  log.close();
}

function plans(file: string): Map<string, string[]> {
  const db = new Database(file, { readonly: true });
  try {
    const out = new Map<string, string[]>();
    // A copy: the statements prepared here are the test's own.
    for (const sql of [...prepared]) {
      if (!/\blauncher_/.test(sql) || /sqlite_master|pragma_|^\s*(CREATE|ALTER|DROP|INSERT INTO launcher_saga_meta\(key, value\)\s+SELECT)/i.test(sql)) continue;
      const named = [...new Set([...sql.matchAll(/@(\w+)/g)].map((m) => m[1]!))];
      const stmt = realPrepare.call(db, `EXPLAIN QUERY PLAN ${sql}`);
      const rows = (named.length > 0 ? stmt.all(Object.fromEntries(named.map((n) => [n, null]))) : stmt.all(Array<null>((sql.match(/\?/g) ?? []).length).fill(null))) as {
        detail: string;
      }[];
      out.set(sql.replace(/\s+/g, ' ').trim(), rows.map((r) => r.detail));
    }
    return out;
  } finally {
    db.close();
  }
}

describe('query plans of the saga log', () => {
  let byQuery: Map<string, string[]>;
  let indexes: string[];

  test('the log prepares its statements against a file of this build', () => {
    const file = path.join(tempDir(), LOG_FILE_NAME);
    exercise(file);
    byQuery = plans(file);
    assert.ok(byQuery.size >= 50, `only ${byQuery.size} statements seen`);
    const db = new Database(file, { readonly: true });
    indexes = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index'`).pluck().all() as string[];
    db.close();
  });

  test('no statement scans a saga table: every read of sagas and steps is an index search', () => {
    const scans = [...byQuery].flatMap(([sql, lines]) =>
      lines.filter((l) => /^SCAN /.test(l) && !/VIRTUAL TABLE|^SCAN launcher_recovery_report\b/.test(l)).map((l) => `${l} in ${sql}`),
    );
    assert.deepEqual(scans, []);
  });

  test('step lookups go through the primary key, by saga id', () => {
    const stepLines = [...byQuery.values()].flat().filter((l) => /^SEARCH (launcher_saga_step|st|p)\b/.test(l));
    assert.ok(stepLines.length >= 10);
    for (const l of stepLines) assert.match(l, /sqlite_autoindex_launcher_saga_step_1 \(saga_id=/);
  });

  test('the state and name filters keep their indexes, with the id order from the rowid they carry', () => {
    const find = (re: RegExp) => [...byQuery].filter(([sql]) => re.test(sql)).map(([, lines]) => lines.join(' | '));
    const recovery = find(/WHERE s\.state IN \('running', 'compensating'\)/);
    assert.ok(recovery.length > 0);
    for (const p of recovery) assert.match(p, /SEARCH s USING INDEX idx_launcher_saga_state \(state=\?\)/);
    const byState = find(/s\.saga_id < @beforeId AND s\.state = @state/);
    assert.ok(byState.length > 0);
    for (const p of byState) {
      // With a name too, SQLite may take the name index instead: either is a range in id order.
      assert.match(p, /idx_launcher_saga_(state \(state|name \(name)=\? AND rowid<\?\)/);
      assert.doesNotMatch(p, /TEMP B-TREE/);
    }
    const byName = find(/s\.name = @name ORDER BY/);
    assert.ok(byName.length > 0);
    for (const p of byName) assert.match(p, /idx_launcher_saga_name \(name=\?/);
    assert.match(find(/WHERE name > \? ORDER BY name LIMIT 1/)[0] ?? '', /COVERING INDEX idx_launcher_saga_name/);
  });

  test('every index the file keeps is read by some statement', () => {
    const used = new Set([...byQuery.values()].flat().flatMap((l) => [...l.matchAll(/INDEX (\w+)/g)].map((m) => m[1]!)));
    const unread = indexes.filter((i) => !used.has(i));
    assert.deepEqual(unread, [], `indexes maintained on every write that no query reads: ${unread.join(', ')}`);
  });
});
