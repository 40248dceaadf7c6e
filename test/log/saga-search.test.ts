// The panel's search queries on a real log file: names merged from their own index ranges,
// pages in both directions, a recovery's sagas, a bounded input scan, time as an id range.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { runRecovery } from '../../src-main/saga/recovery';
import { tempDir } from '../helpers/temp-dir';

const T0 = Date.parse('2026-05-01T00:00:00Z');

/** 30 sagas a minute apart: alpha (even), beta_two (odd), input {"name":"w<i>","note":"<i%3>"}. */
function fixture() {
  let now = T0;
  const log = SagaLog.open(path.join(tempDir('saga-search-'), LOG_FILE_NAME), { clock: () => new Date(now) });
  const ids: number[] = [];
  for (let i = 0; i < 30; i++) {
    now = T0 + i * 60_000;
    const id = log.startSaga({ name: i % 2 ? 'beta_two' : 'alpha', inputJson: JSON.stringify({ name: `w${i}`, note: `n${i % 3}_x` }) });
    log.terminate(id, 'completed');
    ids.push(id);
  }
  return { log, ids, at: (i: number) => new Date(T0 + i * 60_000).toISOString() };
}

describe('SagaLog.search', () => {
  test('several exact names merge newest first, and pages go both ways', () => {
    const { log, ids } = fixture();
    const all = [...ids].reverse();
    assert.deepEqual(log.search({ limit: 7, names: ['alpha', 'beta_two'] }).rows.map((r) => r.sagaId), all.slice(0, 7));
    const alpha = log.search({ limit: 5, names: ['alpha'] }).rows.map((r) => r.sagaId);
    assert.deepEqual(alpha, all.filter((_, k) => k % 2 === 1).slice(0, 5));
    assert.deepEqual(log.search({ limit: 5, names: [] }).rows, []);
    // Newer page: the five just above the cursor, still newest first.
    assert.deepEqual(log.search({ limit: 5, afterId: ids[10]! }).rows.map((r) => r.sagaId), ids.slice(11, 16).reverse());
    assert.deepEqual(log.search({ limit: 5, beforeId: ids[10]! }).rows.map((r) => r.sagaId), ids.slice(5, 10).reverse());
  });

  test('input text: LIKE wildcards are literal, and a scan bound says where it stopped', () => {
    const { log, ids } = fixture();
    const hits = log.search({ limit: 50, inputContains: 'N1_X', inputScanRows: 1000 });
    assert.deepEqual(hits.rows.map((r) => r.sagaId), ids.filter((_, i) => i % 3 === 1).reverse());
    assert.equal(hits.scanEdgeId, null, 'the whole log was read');
    // Unescaped, `%` would match everything and `n_` would match "name": both are literal text.
    assert.equal(log.search({ limit: 50, inputContains: '%', inputScanRows: 1000 }).rows.length, 0);
    assert.equal(log.search({ limit: 50, inputContains: 'n_', inputScanRows: 1000 }).rows.length, 0);

    const bounded = log.search({ limit: 50, inputContains: 'n1_x', inputScanRows: 6 });
    assert.equal(bounded.scanEdgeId, ids[24], 'the sixth newest id');
    assert.deepEqual(bounded.rows.map((r) => r.sagaId), [ids[28], ids[25]]);
    const next = log.search({ limit: 50, inputContains: 'n1_x', inputScanRows: 6, beforeId: bounded.scanEdgeId! });
    assert.deepEqual(next.rows.map((r) => r.sagaId), [ids[22], ids[19]]);
    // A page filled before the bound needs no edge.
    assert.equal(log.search({ limit: 1, inputContains: 'n1_x', inputScanRows: 6 }).scanEdgeId, null);
  });

  test('a time range becomes an id range by binary search', () => {
    const { log, ids, at } = fixture();
    assert.equal(log.idStartedAtOrAfter(at(0)), ids[0]);
    assert.equal(log.idStartedAtOrAfter(at(12)), ids[12]);
    assert.equal(log.idStartedAtOrAfter(new Date(Date.parse(at(12)) + 1).toISOString()), ids[13]);
    assert.equal(log.idStartedAtOrAfter(new Date(Date.parse(at(29)) + 1).toISOString()), null);
    const rows = log.search({ limit: 50, minId: ids[10]!, maxId: ids[14]! }).rows.map((r) => r.sagaId);
    assert.deepEqual(rows, ids.slice(10, 15).reverse());
  });

  test('the sagas one recovery marked, their reviews, names and key inputs', () => {
    const { log, ids } = fixture();
    const a = log.startSaga({ name: 'alpha', inputJson: '{"name":"crashed-a"}' });
    const b = log.startSaga({ name: 'gamma', inputJson: '{"workspace":"crashed-b","name":7}' });
    const c = log.startSaga({ name: 'gamma', inputJson: 'not json' });
    runRecovery(log, { bootId: 'boot-2', movedAside: [] });
    assert.deepEqual(log.search({ limit: 50, recoveredBy: 'boot-2' }).rows.map((r) => r.sagaId), [c, b, a]);
    assert.deepEqual(log.search({ limit: 50, recoveredBy: 'boot-other' }).rows, []);
    log.markReviewed(b, 'ops', 'checked');
    assert.deepEqual([...log.reviewedAmong([a, b, c])], [b]);
    assert.deepEqual(log.sagaNames(), ['alpha', 'beta_two', 'gamma']);
    const keys = log.keyInputsOf([ids[0]!, a, b, c], { gamma: 'workspace' }, 'name');
    assert.deepEqual([...keys.entries()].sort(), [[a, 'crashed-a'], [b, 'crashed-b'], [ids[0]!, 'w0']].sort());
  });

  test('an interrupted saga carries its last step activity', () => {
    let now = T0;
    const log = SagaLog.open(path.join(tempDir('saga-search-'), LOG_FILE_NAME), { clock: () => new Date(now) });
    const id = log.startSaga({ name: 'alpha', inputJson: '{}' });
    assert.equal(log.summariesOf([id])[0]!.lastActivityAt, null);
    log.startStep({ sagaId: id, stepIndex: 0, name: 's', target: 'self', cmdJson: '{}' });
    now = T0 + 300;
    log.finishStep(id, 0, '{}');
    now = T0 + 400;
    log.startStep({ sagaId: id, stepIndex: 1, name: 't', target: 'host', cmdJson: '{}' });
    assert.equal(log.summariesOf([id])[0]!.lastActivityAt, new Date(T0 + 400).toISOString());
  });
});
