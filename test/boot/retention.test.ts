import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { scheduleRetention } from '../../src-main/boot/retention';
import { SagaLog } from '../../src-main/saga/log/saga-log';
import { tempDir } from '../helpers/temp-dir';
import { startTs } from './child';

const DAY = 24 * 60 * 60 * 1000;
const NOW = new Date('2030-06-15T12:00:00.000Z');

function logAt(): { log: SagaLog; file: string; setNow: (d: Date) => void } {
  let now = NOW;
  const file = path.join(tempDir('retention-'), 'launcher-sagas.db');
  const log = SagaLog.open(file, { clock: () => now });
  return { log, file, setNow: (d) => (now = d) };
}

function finished(log: SagaLog, state: 'completed' | 'failed' | 'failed_compensation' | 'running', payload = 100): number {
  const id = log.startSaga({ name: 'open_workspace', inputJson: JSON.stringify({ pad: 'x'.repeat(payload) }) });
  log.startStep({ sagaId: id, stepIndex: 0, name: 'create', target: 'srv', cmdJson: JSON.stringify({ pad: 'y'.repeat(payload) }) });
  log.finishStep(id, 0, '{}');
  if (state === 'completed' || state === 'failed') log.terminate(id, state);
  if (state === 'failed_compensation') log.markFailedCompensation(id, 'an undo failed');
  return id;
}

describe('retention', () => {
  test('deletes old finished sagas in batches; keeps unreviewed failed_compensation, unfinished and recent ones', async () => {
    const { log, setNow } = logAt();
    setNow(new Date(NOW.getTime() - 10 * DAY));
    const oldCompleted = Array.from({ length: 25 }, () => finished(log, 'completed'));
    const oldFailed = Array.from({ length: 10 }, () => finished(log, 'failed'));
    const unreviewed = Array.from({ length: 3 }, () => finished(log, 'failed_compensation'));
    const reviewed = Array.from({ length: 2 }, () => finished(log, 'failed_compensation'));
    for (const id of reviewed) log.markReviewed(id, 'operator', 'undone by hand');
    const running = finished(log, 'running');
    setNow(new Date(NOW.getTime() - 2 * DAY));
    const recent = Array.from({ length: 5 }, () => finished(log, 'completed'));
    setNow(NOW);

    let turns = 0;
    let counting = true;
    const tick = () => {
      if (!counting) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    const asked: number[] = [];
    const prune = log.pruneFinished.bind(log);
    log.pruneFinished = (q) => {
      asked.push(q.batchSize);
      return prune(q);
    };
    const retention = scheduleRetention(log, { maxAgeDays: 7, keepNewest: 1000, batchSize: 4 }, () => NOW);
    const pass = await retention.runNow();
    counting = false;
    await retention.stop();

    assert.equal(pass.deleted, 25 + 10 + 2);
    assert.ok(asked.every((n) => n >= 1 && n <= 4), `batch sizes within the most allowed: ${asked.join(',')}`);
    assert.ok(pass.batches >= Math.ceil(37 / 4), `${pass.batches} batches`);
    assert.ok(turns >= pass.batches - 1, `the event loop ran between batches (${turns} turns for ${pass.batches} batches)`);
    for (const id of [...oldCompleted, ...oldFailed, ...reviewed]) assert.equal(log.saga(id), null, `saga ${id} pruned`);
    for (const id of [...unreviewed, running, ...recent]) assert.ok(log.saga(id), `saga ${id} kept`);
    assert.equal(log.saga(running)?.steps.length, 1);
    log.close();
  });

  test('keeps only the newest keepNewest; ids are never reused after the newest are deleted', async () => {
    const { log } = logAt();
    const ids = Array.from({ length: 30 }, () => finished(log, 'completed'));
    const retention = scheduleRetention(log, { maxAgeDays: 7, keepNewest: 10, batchSize: 7 }, () => NOW);
    assert.equal((await retention.runNow()).deleted, 20);
    assert.deepEqual(log.recent({ limit: 100 }).map((s) => s.sagaId).reverse(), ids.slice(20));

    const all = scheduleRetention(log, { maxAgeDays: 7, keepNewest: 0, batchSize: 7 }, () => NOW);
    assert.equal((await all.runNow()).deleted, 10);
    assert.equal(log.recent({ limit: 100 }).length, 0);
    assert.equal(log.startSaga({ name: 'next', inputJson: '{}' }), ids[29]! + 1, 'the next id follows the highest ever issued');
    await retention.stop();
    await all.stop();
    log.close();
  });

  test('hands free pages back to the file system', async () => {
    const { log, file } = logAt();
    for (let i = 0; i < 300; i++) finished(log, 'completed', 2000);
    log.checkpoint();
    const before = fs.statSync(file).size;
    const retention = scheduleRetention(log, { keepNewest: 0, batchSize: 100, vacuumPagesPerStep: 16 }, () => NOW);
    const pass = await retention.runNow();
    await retention.stop();
    log.checkpoint();
    assert.equal(pass.deleted, 300);
    assert.ok(pass.pagesReleased > 16, 'released over several steps');
    assert.equal(log.freePageCount(), 0);
    assert.ok(fs.statSync(file).size < before / 4, `file shrank from ${before} to ${fs.statSync(file).size}`);
    log.close();
  });

  test('counts back a keepNewest longer than one walk in pieces, to the same cutoff', async () => {
    for (const keepNewest of [0, 1, 6, 7, 8, 12, 30]) {
      const { log } = logAt();
      const ids = Array.from({ length: 23 }, () => finished(log, 'completed'));
      const newest = (n: number) => ids.slice(Math.max(0, ids.length - n));
      const retention = scheduleRetention(log, { maxAgeDays: 10_000, keepNewest, cutoffWalkRows: 3 }, () => NOW);
      const pass = await retention.runNow();
      await retention.stop();
      assert.equal(pass.deleted, Math.max(0, ids.length - keepNewest), `keepNewest ${keepNewest}`);
      for (const id of ids) assert.equal(log.saga(id) !== null, newest(keepNewest).includes(id), `keepNewest ${keepNewest}: saga ${id}`);
      log.close();
    }
  });

  test('one pass walks each id once, whatever is kept: a cursor, not a rescan from the first id', async () => {
    const { log, setNow } = logAt();
    setNow(new Date(NOW.getTime() - 10 * DAY));
    // Kept sagas ahead of and between prunable ones: each batch used to rescan them all from id 1.
    const kept = Array.from({ length: 60 }, () => finished(log, 'failed_compensation'));
    const pruned: number[] = [];
    for (let i = 0; i < 40; i++) {
      pruned.push(finished(log, 'completed'));
      kept.push(finished(log, 'failed_compensation'));
    }
    setNow(NOW);
    const walked: [number, number][] = [];
    const prune = log.pruneFinished.bind(log);
    log.pruneFinished = (q) => {
      const r = prune(q);
      walked.push([q.afterId ?? 0, r.walkedThrough]);
      return r;
    };
    const retention = scheduleRetention(log, { maxAgeDays: 7, keepNewest: 1000, batchSize: 4, walkIds: 32 }, () => NOW);
    const pass = await retention.runNow();
    await retention.stop();
    assert.equal(pass.deleted, 40);
    // The stretches walked, (after, through], follow one another with no overlap and cover every id once.
    const last = log.maxSagaId();
    let expectedStart = 0;
    for (const [after, through] of walked) {
      assert.equal(after, expectedStart, `walks: ${JSON.stringify(walked)}`);
      assert.ok(through > after && through <= last, `walks: ${JSON.stringify(walked)}`);
      expectedStart = through;
    }
    assert.equal(expectedStart, last, 'the walk reached the highest id');
    for (const id of pruned) assert.equal(log.saga(id), null);
    for (const id of kept) assert.ok(log.saga(id), `saga ${id} kept`);
    log.close();
  });

  test('checkpoints in small pieces during a pass and puts the setting back after it', async () => {
    const { log } = logAt();
    for (let i = 0; i < 50; i++) finished(log, 'completed');
    const before = log.setAutoCheckpointPages(1000);
    assert.equal(before, 1000, 'SQLite default');
    const seen: number[] = [];
    const prune = log.pruneFinished.bind(log);
    log.pruneFinished = (q) => {
      const during = log.setAutoCheckpointPages(0);
      log.setAutoCheckpointPages(during);
      seen.push(during);
      return prune(q);
    };
    const retention = scheduleRetention(log, { keepNewest: 0, checkpointPages: 64 }, () => NOW);
    const pass = await retention.runNow();
    await retention.stop();
    assert.equal(pass.deleted, 50);
    assert.ok(seen.length > 0 && seen.every((p) => p === 64), `during the pass: ${seen.join(',')}`);
    assert.equal(log.setAutoCheckpointPages(1000), 1000, 'restored after the pass');
    log.close();
  });

  test('the timer runs a pass by itself every interval', async () => {
    const { log } = logAt();
    const id = finished(log, 'completed');
    const retention = scheduleRetention(log, { keepNewest: 0, intervalMs: 20 }, () => NOW);
    try {
      const until = Date.now() + 5000;
      while (log.saga(id) !== null && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      assert.equal(log.saga(id), null, 'pruned without anyone calling runNow');
    } finally {
      await retention.stop();
      log.close();
    }
  });

  test('a read-only log is left alone', async () => {
    const { log, file } = logAt();
    finished(log, 'completed');
    log.close();
    const ro = SagaLog.open(file, { readonly: true });
    const retention = scheduleRetention(ro, { keepNewest: 0 }, () => NOW);
    assert.deepEqual(await retention.runNow(), { deleted: 0, batches: 0, pagesReleased: 0 });
    await retention.stop();
    ro.close();
  });

  test('the retention timer never keeps a process alive', async () => {
    const child = startTs(path.join(import.meta.dirname, 'fixtures', 'retention-idle.ts'), [tempDir('retention-')]);
    await child.waitFor(/^scheduled$/);
    assert.deepEqual(await child.exited, { code: 0, signal: null });
  });
});
