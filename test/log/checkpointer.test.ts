import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { scheduleRetention } from '../../src-main/boot/retention';
import { startSagaSubsystem } from '../../src-main/boot/subsystem';
import { LogCheckpointer } from '../../src-main/saga/log/checkpointer';
import { SagaLog } from '../../src-main/saga/log/saga-log';
import { tempDir } from '../helpers/temp-dir';

const OLD = new Date('2030-01-01T00:00:00.000Z');
const NOW = new Date('2030-06-15T12:00:00.000Z');

/** A small -wal bound, so a few hundred sagas show it cut back (the default is 64 MB). */
const LIMIT_PAGES = 200;

function openLog(clock: () => Date = () => NOW): SagaLog {
  return SagaLog.open(path.join(tempDir('checkpointer-'), 'launcher-sagas.db'), { clock, walSizeLimitPages: LIMIT_PAGES });
}

function writeSagas(log: SagaLog, n: number, state: 'completed' | 'running' = 'completed'): void {
  for (let i = 0; i < n; i++) {
    const id = log.startSaga({ name: 'open_workspace', inputJson: JSON.stringify({ pad: 'x'.repeat(200) }) });
    log.startStep({ sagaId: id, stepIndex: 0, name: 'create', target: 'srv', cmdJson: JSON.stringify({ pad: 'y'.repeat(200) }) });
    log.finishStep(id, 0, '{}');
    if (state === 'completed') log.terminate(id, 'completed');
  }
}

const walSize = (log: SagaLog) => (fs.existsSync(`${log.file}-wal`) ? fs.statSync(`${log.file}-wal`).size : 0);
const until = async (what: () => boolean) => {
  while (!what()) await new Promise((r) => setTimeout(r, 10));
};

describe('checkpoint worker', () => {
  test('checkpoints from its own connection: main auto-checkpoint is 0, the WAL is copied back, and main cuts the -wal back to its limit', async () => {
    const log = openLog();
    const failures: Error[] = [];
    const checkpointer = new LogCheckpointer(log, { intervalMs: 20, onFailure: (e) => failures.push(e) });
    assert.equal(log.autoCheckpointPages(), 1000, 'main checkpoints by itself until the worker is open');
    const limit = log.walSizeLimitBytes();
    assert.equal(limit, LIMIT_PAGES * 4096);
    assert.equal(await checkpointer.ready, true);
    assert.equal(log.autoCheckpointPages(), 0);

    writeSagas(log, 300);
    // Nothing on main checkpoints now: the WAL holds every page these sagas wrote until the worker copies it.
    assert.ok(walSize(log) > 2 * limit, `the WAL grew past twice its limit (${walSize(log)} bytes)`);
    const explicit = await checkpointer.checkpoint('PASSIVE');
    assert.equal(explicit.busy, false);
    assert.equal(explicit.copiedFrames, explicit.walFrames, 'the worker copied the whole WAL back');
    // What was copied is in the database file itself: a reader of the .db alone (no -wal) sees every saga.
    const copy = path.join(path.dirname(log.file), 'copy.db');
    fs.copyFileSync(log.file, copy);
    const reader = new Database(copy, { readonly: true });
    assert.equal(reader.prepare(`SELECT COUNT(*) FROM launcher_saga WHERE state = 'completed'`).pluck().get(), 300);
    reader.close();

    // The next write on main starts the WAL over and cuts the file to the limit (no TRUNCATE, no lock taken).
    const before = walSize(log);
    writeSagas(log, 1);
    assert.ok(walSize(log) <= limit + 8 * 4096, `main cut the -wal from ${before} bytes back to its limit (${walSize(log)} bytes, limit ${limit})`);

    await checkpointer.stop();
    assert.equal(log.autoCheckpointPages(), 1000, 'stop gives main its auto-checkpoint back');
    assert.deepEqual(failures, []);
    log.close();
  });

  test('a worker killed while it runs is reported, main checkpoints by itself again, and nothing committed is lost', async () => {
    const log = openLog();
    const failures: Error[] = [];
    const checkpointer = new LogCheckpointer(log, { onFailure: (e) => failures.push(e) });
    assert.equal(await checkpointer.ready, true);
    writeSagas(log, 50);
    await checkpointer.worker!.terminate();
    await until(() => failures.length > 0);
    assert.match(failures[0]!.message, /checkpoint worker exited .*checkpoints by itself again/);
    assert.equal(checkpointer.running, false);
    assert.equal(log.autoCheckpointPages(), 1000);
    await assert.rejects(checkpointer.vacuum(), /checkpoint worker is not running \(failed\)/);
    writeSagas(log, 50);
    assert.equal(log.countInState('completed'), 100);
    await checkpointer.stop();
    assert.equal(failures.length, 1, 'reported once');
    log.close();
    const reopened = SagaLog.open(log.file);
    assert.equal(reopened.countInState('completed'), 100);
    reopened.close();
  });

  test('a worker that cannot open the log says why and leaves main its auto-checkpoint', async () => {
    const log = openLog();
    // The file moves away under main's open connection: the worker's open by name finds nothing.
    const moved = `${log.file}.moved`;
    fs.renameSync(log.file, moved);
    const failures: Error[] = [];
    const checkpointer = new LogCheckpointer(log, { onFailure: (e) => failures.push(e) });
    assert.equal(await checkpointer.ready, false);
    fs.renameSync(moved, log.file);
    assert.equal(failures.length, 1);
    assert.match(failures[0]!.message, /checkpoint worker could not open .*launcher-sagas\.db/);
    assert.equal(log.autoCheckpointPages(), 1000);
    await checkpointer.stop();
    log.close();
  });

  test("retention's delete slices keep going and the worker vacuums; with the worker killed mid-pass, main finishes the pass", async () => {
    for (const kill of [false, true]) {
      let now = OLD;
      const log = openLog(() => now);
      writeSagas(log, 1500);
      now = NOW;
      const failures: unknown[] = [];
      const checkpointer = new LogCheckpointer(log, { onFailure: (e) => failures.push(e) });
      assert.equal(await checkpointer.ready, true);
      const slices: number[] = [];
      const prune = log.pruneFinished.bind(log);
      log.pruneFinished = (q) => {
        const r = prune(q);
        if (r.deleted > 0) slices.push(r.deleted);
        // Killed while the deletes run: the vacuum that follows must find the worker gone.
        if (kill && slices.length === 2) void checkpointer.worker!.terminate();
        return r;
      };
      const retention = scheduleRetention(log, { maxAgeDays: 7, keepNewest: 0, batchSize: 50 }, () => NOW, (e) => failures.push(e), checkpointer);
      const pass = await retention.runNow();
      await retention.stop();
      assert.equal(pass.deleted, 1500);
      assert.ok(slices.length >= 30, `deleted in slices of at most 50 (${slices.length} slices)`);
      assert.ok(Math.max(...slices) <= 50);
      assert.ok(pass.pagesReleased > 0, 'free pages were handed back');
      assert.equal(log.freePageCount(), 0);
      if (kill) {
        assert.equal(checkpointer.running, false);
        assert.equal(log.autoCheckpointPages(), 1000, 'main checkpoints by itself again');
        assert.ok(failures.some((e) => /checkpoint worker exited/.test(String(e))));
      } else {
        assert.equal(log.autoCheckpointPages(), 0, 'the pass left the worker checkpointing');
        assert.deepEqual(failures, []);
      }
      await checkpointer.stop();
      log.close();
    }
  });

  test('the subsystem runs one: main auto-checkpoint is 0 once it is up, and shutdown leaves a whole file with no -wal', async () => {
    const userDataDir = tempDir('checkpointer-boot-');
    const failures: unknown[] = [];
    const subsystem = await startSagaSubsystem({ userDataDir, retention: false, onRetentionError: (e) => failures.push(e) });
    assert.ok(subsystem.checkpointer);
    assert.equal(await subsystem.checkpointer.ready, true);
    assert.equal(subsystem.log.autoCheckpointPages(), 0);
    writeSagas(subsystem.log, 20);
    const file = subsystem.log.file;
    await subsystem.shutdown();
    assert.equal(fs.existsSync(`${file}-wal`), false, 'the WAL was folded back and removed');
    const reader = new Database(file, { readonly: true });
    assert.equal(reader.prepare(`SELECT COUNT(*) FROM launcher_saga`).pluck().get(), 20);
    reader.close();
    assert.deepEqual(failures, []);
  });
});
