import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { SagaLog } from '../../src-main/saga/log/saga-log';
import { SagaLogError } from '../../src-main/saga/log/errors';
import { SCHEMA_VERSION } from '../../src-main/saga/log/schema';
import { tempDir } from '../helpers/temp-dir';

function freshLog(): { log: SagaLog; file: string } {
  const file = path.join(tempDir(), 'launcher-sagas.db');
  return { log: SagaLog.open(file), file };
}

function step(sagaId: number, stepIndex: number, name = `step${stepIndex}`) {
  return { sagaId, stepIndex, name, target: 'self' as const, kind: 'compensatable' as const, cmdJson: JSON.stringify({ op: name }) };
}

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('saga log', () => {
  test('creates schema version 1 exactly as designed, then the additive versions', () => {
    const { log, file } = freshLog();
    log.close();
    const db = new Database(file, { readonly: true });
    const cols = (t: string) => (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name);
    assert.deepEqual(cols('launcher_saga').slice(0, 7), ['saga_id', 'name', 'state', 'started_at', 'ended_at', 'input_json', 'failure_reason']);
    assert.deepEqual(cols('launcher_saga_step').slice(0, 10), [
      'saga_id', 'step_index', 'name', 'state', 'cmd_json', 'target', 'started_at', 'ended_at', 'output_json', 'failure_reason',
    ]);
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.throws(() => db.prepare(`INSERT INTO launcher_saga(name, state, started_at, input_json) VALUES ('x','bogus','t','{}')`).run());
    db.close();
  });

  test('reopening an existing log is a no-op migration', () => {
    const { log, file } = freshLog();
    const id = log.startSaga({ name: 'a', inputJson: '{}' });
    log.close();
    const again = SagaLog.open(file);
    assert.equal(again.saga(id)?.name, 'a');
    again.close();
  });

  test('a completed round trip', () => {
    const { log } = freshLog();
    const id = log.startSaga({ name: 'tear_off_tab', inputJson: JSON.stringify({ tab_id: 'abc' }), plannedSteps: 2 });
    log.startStep(step(id, 0));
    log.finishStep(id, 0, '{"pong":7}');
    log.startStep(step(id, 1));
    log.finishStep(id, 1, '{"pong":8}');
    log.terminate(id, 'completed');
    const [snap] = log.recent({ limit: 10 });
    assert.equal(snap?.sagaId, id);
    assert.equal(snap?.state, 'completed');
    assert.ok(snap?.endedAt);
    assert.equal(snap?.failureReason, null);
    assert.equal(snap?.progressedSteps, 2);
    assert.equal(snap?.plannedSteps, 2);
    assert.equal(snap?.inFlightStep, null);
  });

  test('a failed saga with compensation links the undo to its step and ends failed', () => {
    const { log } = freshLog();
    const id = log.startSaga({ name: 'tear_off_block', inputJson: '{}' });
    log.startStep(step(id, 0));
    log.finishStep(id, 0, '{}');
    log.startStep(step(id, 1));
    log.failStep(id, 1, 'boom');
    log.markCompensating(id, 'step 1 failed: boom');
    const comp = log.appendCompensation({ sagaId: id, compensatesIndex: 0, name: 'undo step0', target: 'self', cmdJson: '{}' });
    assert.equal(comp, 2, 'appended at the next free index');
    assert.equal(log.saga(id)?.steps[2]?.state, 'pending', 'the undo is recorded before it is dispatched');
    log.finishCompensation(id, comp, '{"undone":true}');
    log.terminate(id, 'failed');
    const d = log.saga(id);
    assert.equal(d?.state, 'failed');
    assert.equal(d?.failureReason, 'step 1 failed: boom');
    assert.deepEqual(d?.steps.map((s) => s.state), ['compensated', 'failed', 'succeeded']);
    assert.equal(d?.steps[2]?.compensatesIndex, 0);
    assert.equal(d?.steps[1]?.failureReason, 'boom', "a failed step's reason is kept");
  });

  test('only a succeeded forward step can be compensated', () => {
    const { log } = freshLog();
    const id = log.startSaga({ name: 's', inputJson: '{}' });
    log.startStep(step(id, 0));
    assert.throws(
      () => log.appendCompensation({ sagaId: id, compensatesIndex: 0, name: 'u', target: 'self', cmdJson: '{}' }),
      (e: unknown) => e instanceof SagaLogError && e.code === 'invalid_transition',
    );
  });

  test('unresolved returns only in-flight sagas, steps in index order, succeeded prefix visible', () => {
    const { log } = freshLog();
    const a = log.startSaga({ name: 'saga_a', inputJson: '{}' });
    log.terminate(a, 'completed');
    const b = log.startSaga({ name: 'saga_b', inputJson: '{"x":1}' });
    log.startStep(step(b, 0));
    log.finishStep(b, 0, '{}');
    log.startStep(step(b, 1));
    log.finishStep(b, 1, '{}');
    log.startStep(step(b, 2));
    const c = log.startSaga({ name: 'saga_c', inputJson: '{}' });
    log.terminate(c, 'failed', 'oops');
    const d = log.startSaga({ name: 'saga_d', inputJson: '{}' });
    log.markCompensating(d, 'x');
    const e = log.startSaga({ name: 'saga_e', inputJson: '{}' });
    log.markFailedCompensation(e, 'y');

    const un = log.unresolved();
    assert.deepEqual(un.map((s) => s.sagaId), [b, d]);
    assert.equal(un[0]?.inputJson, '{"x":1}', "the saga's input round-trips");
    assert.deepEqual(un[0]?.steps.map((s) => s.stepIndex), [0, 1, 2]);
    assert.deepEqual(un[0]?.steps.map((s) => s.state), ['succeeded', 'succeeded', 'pending']);
    const newestFirst = [...(un[0]?.steps ?? [])].reverse().filter((s) => s.state === 'succeeded').map((s) => s.stepIndex);
    assert.deepEqual(newestFirst, [1, 0]);
    assert.deepEqual(un[1]?.steps, []);
  });

  test('recent sagas come newest first, respect the limit, filter and page by cursor', () => {
    const { log } = freshLog();
    const ids = Array.from({ length: 7 }, (_, i) => log.startSaga({ name: i % 2 ? 'odd' : 'even', inputJson: '{}' }));
    for (const id of ids.slice(0, 3)) log.terminate(id, 'completed');
    assert.deepEqual(log.recent({ limit: 3 }).map((s) => s.sagaId), ids.slice(-3).reverse());
    const page2 = log.recent({ limit: 3, beforeId: ids[4] });
    assert.deepEqual(page2.map((s) => s.sagaId), [ids[3], ids[2], ids[1]]);
    assert.deepEqual(log.recent({ limit: 10, state: 'completed' }).map((s) => s.sagaId), ids.slice(0, 3).reverse());
    assert.ok(log.recent({ limit: 10, name: 'odd' }).every((s) => s.name === 'odd'));
  });

  test('the recent list is one indexed query with no sort of the table', () => {
    const { log, file } = freshLog();
    log.close();
    const db = new Database(file, { readonly: true });
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    const all = plan(`SELECT saga_id FROM launcher_saga s WHERE s.saga_id < 9 ORDER BY s.saga_id DESC LIMIT 50`);
    assert.doesNotMatch(all, /TEMP B-TREE/);
    const byState = plan(`SELECT saga_id FROM launcher_saga s WHERE s.saga_id < 9 AND s.state = 'failed' ORDER BY s.saga_id DESC LIMIT 50`);
    assert.match(byState, /idx_launcher_saga_state/);
    assert.doesNotMatch(byState, /TEMP B-TREE/);
    db.close();
  });

  test('a duplicate id is rejected, never overwritten', () => {
    const { log } = freshLog();
    const id = log.startSaga({ name: 'first', inputJson: '{}' });
    assert.throws(
      () => log.startSaga({ name: 'second', inputJson: '{}', sagaId: id }),
      (e: unknown) => e instanceof SagaLogError && e.code === 'duplicate',
    );
    assert.equal(log.saga(id)?.name, 'first');
  });

  test('a step for a saga that does not exist is rejected by the foreign key', () => {
    const { log } = freshLog();
    assert.throws(() => log.startStep(step(999, 0)), (e: unknown) => e instanceof SagaLogError && e.code === 'not_found');
  });

  test('the highest id survives reopening and ids are not reused after deletion', () => {
    const { log, file } = freshLog();
    const ids = [1, 2, 3].map(() => log.startSaga({ name: 'x', inputJson: '{}' }));
    for (const id of ids) log.terminate(id, 'completed');
    log.close();
    const reopened = SagaLog.open(file);
    assert.equal(reopened.maxSagaId(), 3);
    const pruned = reopened.pruneFinished({ endedBefore: new Date(Date.now() + 60_000), upToId: reopened.idBeyondNewest(0), batchSize: 100 });
    assert.equal(pruned.deleted, 3);
    assert.equal(reopened.recent({ limit: 10 }).length, 0);
    assert.equal(reopened.startSaga({ name: 'y', inputJson: '{}' }), 4);
    assert.throws(
      () => reopened.startSaga({ name: 'z', inputJson: '{}', sagaId: 2 }),
      (e: unknown) => e instanceof SagaLogError && e.code === 'duplicate' && /never reused/.test(e.message),
      'an explicit id of a pruned saga is refused too',
    );
    reopened.close();
  });

  test('markFailedCompensation keeps the first reason and appends the next', () => {
    const { log } = freshLog();
    const id = log.startSaga({ name: 'x', inputJson: '{}' });
    log.markFailedCompensation(id, 'first');
    const endedAt = log.saga(id)?.endedAt;
    log.markFailedCompensation(id, 'second');
    const d = log.saga(id);
    assert.equal(d?.state, 'failed_compensation');
    assert.equal(d?.failureReason, 'first; then: second');
    assert.equal(d?.endedAt, endedAt);
  });

  test('finishing a step that is not pending is refused', () => {
    const { log } = freshLog();
    const id = log.startSaga({ name: 'x', inputJson: '{}' });
    log.startStep(step(id, 0));
    log.finishStep(id, 0, null);
    assert.throws(() => log.failStep(id, 0, 'late'), (e: unknown) => e instanceof SagaLogError && e.code === 'invalid_transition');
    assert.equal(log.saga(id)?.steps[0]?.state, 'succeeded');
  });

  test('a file with a newer schema is read but never written, bytes unchanged', () => {
    const { log, file } = freshLog();
    const id = log.startSaga({ name: 'kept', inputJson: '{}' });
    log.close();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.pragma('journal_mode = DELETE');
    db.close();
    const before = sha(file);
    const newer = SagaLog.open(file);
    assert.equal(newer.writable, false);
    assert.equal(newer.saga(id)?.name, 'kept');
    assert.throws(
      () => newer.startSaga({ name: 'x', inputJson: '{}' }),
      (e: unknown) =>
        e instanceof SagaLogError &&
        e.code === 'newer_schema' &&
        e.message.includes(`version ${SCHEMA_VERSION + 5}`) &&
        e.message.includes(`version ${SCHEMA_VERSION}`),
    );
    assert.throws(() => newer.markFailedCompensation(id, 'x'));
    newer.close();
    assert.equal(sha(file), before);
    assert.ok(!fs.existsSync(`${file}-wal`));
  });

  test('a foreign SQLite file is refused without a write', () => {
    const file = path.join(tempDir(), 'other.db');
    const db = new Database(file);
    db.exec('CREATE TABLE notes(x)');
    db.close();
    const before = sha(file);
    assert.throws(() => SagaLog.open(file), (e: unknown) => e instanceof SagaLogError && e.code === 'foreign');
    assert.equal(sha(file), before);
  });

  test('a file that is not SQLite is reported as corrupt, untouched', () => {
    const file = path.join(tempDir(), 'junk.db');
    fs.writeFileSync(file, 'this is not a database, just text '.repeat(200));
    const before = sha(file);
    assert.throws(() => SagaLog.open(file), (e: unknown) => e instanceof SagaLogError && e.code === 'corrupt');
    assert.equal(sha(file), before);
  });

  test('a full disk fails the write with a typed error and leaves the log as it was', () => {
    const file = path.join(tempDir(), 'launcher-sagas.db');
    SagaLog.open(file).close();
    const pages = (() => {
      const db = new Database(file, { readonly: true });
      const n = db.pragma('page_count', { simple: true }) as number;
      db.close();
      return n;
    })();
    const log = SagaLog.open(file, { maxPageCount: pages + 2 });
    const id = log.startSaga({ name: 'small', inputJson: '{}' });
    const big = JSON.stringify({ blob: 'x'.repeat(64 * 1024) });
    assert.throws(
      () => log.startStep({ ...step(id, 0), cmdJson: big }),
      (e: unknown) => e instanceof SagaLogError && e.code === 'disk_full',
    );
    assert.deepEqual(log.saga(id)?.steps, []);
    log.close();
  });

  test('a log written by a process killed with SIGKILL reopens intact', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'launcher-sagas.db');
    const writer = path.join(import.meta.dirname, '..', 'fixtures', 'log-writer.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', writer, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if ((out.match(/\n/g) ?? []).length >= 50) resolve();
      });
      child.on('exit', () => reject(new Error(`writer exited early: ${out}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const acknowledged = out.trim().split('\n').map(Number);
    const log = SagaLog.open(file);
    for (const id of acknowledged) assert.ok(log.saga(id), `saga ${id} acknowledged before the kill is in the log`);
    const un = log.unresolved();
    assert.ok(un.length <= 1, 'at most the saga in flight is unresolved');
    assert.equal(log.maxSagaId() >= Math.max(...acknowledged), true);
    log.close();
  });
});

describe('merged step writes', () => {
  const stepRows = (log: SagaLog, sagaId: number) => log.saga(sagaId)!.steps.map((s) => `${s.stepIndex} ${s.state}`);
  const next = (name: string) => ({ name, target: 'self' as const, kind: 'read_only' as const, cmdJson: JSON.stringify({ op: name }) });

  test('the saga row and step 0, one outcome and the next pending row, the last outcome and completed: each pair lands whole', () => {
    const { log } = freshLog();
    const id = log.startSaga({ name: 'merged', inputJson: '{}', plannedSteps: 3, firstStep: next('a') });
    assert.deepEqual(stepRows(log, id), ['0 pending']);
    log.finishStepAndStartNext(id, 0, '{"a":1}', next('b'));
    assert.deepEqual(stepRows(log, id), ['0 succeeded', '1 pending']);
    assert.equal(log.saga(id)!.steps[0]!.outputJson, '{"a":1}');
    log.finishLastStep(id, 1, '{"b":1}');
    assert.deepEqual(stepRows(log, id), ['0 succeeded', '1 succeeded']);
    assert.equal(log.saga(id)!.state, 'completed');
    log.close();
  });

  test('a pair that cannot land whole writes nothing: neither the outcome nor the next pending row', () => {
    const { log } = freshLog();
    const id = log.startSaga({ name: 'merged', inputJson: '{}', firstStep: next('a') });
    log.finishStepAndStartNext(id, 0, null, next('b'));
    // A row already at index 2: the outcome of step 1 updates, then the insert of step 2 fails.
    log.startStep({ sagaId: id, stepIndex: 2, ...next('squatter') });
    const before = stepRows(log, id);
    assert.throws(() => log.finishStepAndStartNext(id, 1, '{"b":1}', next('c')), (err: unknown) => err instanceof SagaLogError);
    assert.deepEqual(stepRows(log, id), before, 'step 1 is still pending');
    assert.equal(log.saga(id)!.steps[1]!.outputJson, null);
    assert.equal(log.saga(id)!.steps[2]!.name, 'squatter');
    // A step that is not pending refuses before anything is inserted.
    assert.throws(() => log.finishStepAndStartNext(id, 0, null, next('x')), /step 0 of saga \d+ is succeeded, not pending/);
    assert.deepEqual(stepRows(log, id), before);
    log.close();
  });

  test('a last outcome on a saga that is no longer running writes nothing', () => {
    const { log } = freshLog();
    const id = log.startSaga({ name: 'merged', inputJson: '{}', firstStep: next('a') });
    log.markFailedCompensation(id, 'an operator gave up on it');
    assert.throws(() => log.finishLastStep(id, 0, null), /saga \d+ is failed_compensation; cannot mark it completed/);
    assert.deepEqual(stepRows(log, id), ['0 pending'], 'the step outcome was rolled back with the refused state');
    log.close();
  });
});
