import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { type BootPhase, boot } from '../../src-main/boot/boot';
import { ProfileLockedError } from '../../src-main/boot/profile-lock';
import { SagaRefusedError } from '../../src-main/saga/coordinator';
import { defineSaga } from '../../src-main/saga/define-saga';
import { SagaLogError } from '../../src-main/saga/log/errors';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { SCHEMA_VERSION } from '../../src-main/saga/log/schema';
import { tempDir } from '../helpers/temp-dir';
import { dumpTables, sha256, writeScenario } from '../recovery/log-fixtures';
import { liveProcessesMarked, waitForNoneMarked } from '../recovery/processes';
import { killHard, startTs } from './child';

const DIST = path.resolve(import.meta.dirname, '../../dist');
const BOOT_CHILD = path.join(import.meta.dirname, 'fixtures', 'boot-child.ts');
if (!fs.existsSync(path.join(DIST, 'peers', 'host.js'))) throw new Error('dist/peers is missing: run `node scripts/build.mjs` first');

const noop = defineSaga({
  name: 'noop_once',
  input: z.object({ payload: z.string().optional() }),
  steps: [{ name: 'noop', target: 'self', kind: 'read_only', command: ({ input }) => ({ op: 'noop', payload: input.payload }) }],
});

function pageCount(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('page_count', { simple: true }) as number;
  } finally {
    db.close();
  }
}

function stateOf(file: string, sagaId: number): string | undefined {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT state FROM launcher_saga WHERE saga_id = ?').pluck().get(sagaId) as string | undefined);
  } finally {
    db.close();
  }
}

function seed(dir: string) {
  const log = SagaLog.open(path.join(dir, LOG_FILE_NAME));
  const ids = writeScenario(log);
  log.close();
  return ids;
}

describe('boot', () => {
  test('lock, open, recover, then peers, then ready: no saga can start before recovery has marked the last run', async () => {
    const dir = tempDir('boot-');
    const ids = seed(dir);
    const file = path.join(dir, LOG_FILE_NAME);
    const phases: BootPhase[] = [];
    const seen: Record<string, string | undefined> = {};
    let bootSettled = false;
    const booting = boot({
      userDataDir: dir,
      distDir: DIST,
      retention: false,
      onPhase: (p) => {
        phases.push(p);
        assert.equal(bootSettled, false, 'no BootedApp (and so no coordinator) exists before the ready phase');
        if (fs.existsSync(file)) seen[p] = stateOf(file, ids.midStep);
      },
    });
    void booting.then(() => (bootSettled = true));
    const app = await booting;
    try {
      assert.deepEqual(phases, ['lock', 'open', 'recover', 'peers', 'ready']);
      assert.equal(seen.recover, 'running', 'recovery had not run when the recover phase began');
      assert.equal(seen.peers, 'failed_compensation', 'recovery was done before any peer started');
      assert.deepEqual(app.recovery.marked.map((m) => m.sagaId).sort(), [ids.midStep, ids.betweenSteps, ids.midCompensation, ids.noSteps, ids.betweenCompensations].sort());
      assert.equal(app.log.latestRecoveryReports(1)[0]?.bootId, app.bootId);
      assert.equal(app.readOnlyReason, null);
      assert.equal(app.recoverySkipped, null);

      const outcome = await app.coordinator.run(noop, {});
      assert.equal(outcome.state, 'completed');
      assert.ok(outcome.sagaId > ids.completed, 'a new saga gets a fresh id');
      assert.equal(app.log.saga(outcome.sagaId)?.bootId, app.bootId, 'sagas record the launch they started in');
      assert.ok(app.peers.pid('host'));
    } finally {
      await app.shutdown();
    }
    // The orderly shutdown checkpointed and freed the profile: the next boot gets it and finds nothing to mark.
    assert.ok(!fs.existsSync(`${file}-wal`) || fs.statSync(`${file}-wal`).size === 0);
    const again = await boot({ userDataDir: dir, distDir: DIST, retention: false });
    assert.deepEqual(again.recovery.marked, []);
    await again.shutdown();
  });

  test('retention runs at boot in the background: old finished sagas go, interrupted ones are kept for review', async () => {
    const dir = tempDir('boot-');
    const ids = seed(dir);
    const later = new Date(Date.now() + 30 * 24 * 60 * 60 * 1000);
    const app = await boot({ userDataDir: dir, distDir: DIST, clock: () => later });
    try {
      const until = Date.now() + 5000;
      while (app.log.saga(ids.completed) !== null && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      assert.equal(app.log.saga(ids.completed), null, 'the month-old completed saga was pruned');
      assert.equal(app.log.saga(ids.midStep)?.state, 'failed_compensation', 'unreviewed failed_compensation stays');
      assert.ok(app.retention);
    } finally {
      await app.shutdown();
    }
  });

  test('a second instance cannot recover or write over a live first one; after the first is killed it recovers', async () => {
    const dir = tempDir('boot-');
    const file = path.join(dir, LOG_FILE_NAME);
    const mark = crypto.randomUUID();
    const first = startTs(BOOT_CHILD, [dir, 'hold'], { LAUNCHER_TEST_MARK: mark });
    const sagaId = Number((await first.waitFor(/^running \d+$/)).split(' ')[1]);
    assert.ok(liveProcessesMarked(`LAUNCHER_TEST_MARK=${mark}`).length >= 3, 'main, host and srv are running');
    const before = dumpTables(file);

    await assert.rejects(
      boot({ userDataDir: dir, distDir: DIST, retention: false }),
      (e: unknown) => e instanceof ProfileLockedError && e.holderPid === first.pid && e.message.includes(`pid ${first.pid}`),
    );
    const second = startTs(BOOT_CHILD, [dir, 'try']);
    assert.match(await second.waitFor(/^error /), new RegExp(`^error ProfileLockedError: .*pid ${first.pid}`));
    assert.equal(stateOf(file, sagaId), 'running', "the live saga was not marked by the second instance");
    assert.equal(dumpTables(file), before, 'nothing was written by the refused launches');

    await killHard(first);
    assert.deepEqual(await waitForNoneMarked(`LAUNCHER_TEST_MARK=${mark}`, 5000), [], 'the peers exited with their main');
    const app = await boot({ userDataDir: dir, distDir: DIST, retention: false });
    try {
      assert.deepEqual(app.recovery.marked.map((m) => m.sagaId), [sagaId]);
      assert.equal(
        app.recovery.marked[0]?.reason,
        "interrupted while running, during step 0 'wait_forever' (target self, outcome unknown)",
      );
    } finally {
      await app.shutdown();
    }
  });

  test('a bad file is moved aside at boot and the persisted recovery report says what went where', async () => {
    const dir = tempDir('boot-');
    const file = path.join(dir, LOG_FILE_NAME);
    fs.writeFileSync(file, Buffer.alloc(8192, 7));
    const hash = sha256(file);
    const app = await boot({ userDataDir: dir, distDir: DIST, retention: false });
    try {
      const [moved] = app.recovery.movedAside;
      assert.equal(moved?.from, file);
      assert.equal(sha256(moved!.to), hash);
      assert.deepEqual(app.log.latestRecoveryReports(1)[0]?.movedAside, app.recovery.movedAside);
      assert.equal((await app.coordinator.run(noop, {})).sagaId, 1);
    } finally {
      await app.shutdown();
    }
  });

  test('damage that only recovery meets (on a log above the quick_check size) sets the file aside and boots fresh', async () => {
    const dir = tempDir('boot-');
    seed(dir);
    const file = path.join(dir, LOG_FILE_NAME);
    // The report's unique index is written by recovery but read by nothing before it.
    const db = new Database(file, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const root = db.prepare(`SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_launcher_recovery_report_1'`).pluck().get() as number;
    db.close();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
    fs.closeSync(fd);
    const hash = sha256(file);
    const app = await boot({ userDataDir: dir, distDir: DIST, retention: false, quickCheckMaxBytes: 0 });
    try {
      assert.equal(app.recovery.movedAside.length, 1);
      const [moved] = app.recovery.movedAside;
      assert.match(moved!.reason, /^corrupt pages found by launch recovery/);
      assert.equal(sha256(moved!.to), hash);
      assert.deepEqual(app.recovery.marked, []);
      assert.deepEqual(app.log.latestRecoveryReports(1)[0]?.movedAside, app.recovery.movedAside);
    } finally {
      await app.shutdown();
    }
  });

  test('a newer schema boots read-only: recovery skipped and said so, every saga refused naming both versions, bytes unchanged', async () => {
    const dir = tempDir('boot-');
    const ids = seed(dir);
    const file = path.join(dir, LOG_FILE_NAME);
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 3}`);
    db.pragma('journal_mode = DELETE');
    db.close();
    const hash = sha256(file);
    const app = await boot({ userDataDir: dir, distDir: DIST });
    try {
      assert.equal(app.log.writable, false);
      const both = new RegExp(`version ${SCHEMA_VERSION + 3}, newer than this build's version ${SCHEMA_VERSION}`);
      assert.match(app.readOnlyReason ?? '', both);
      assert.match(app.recoverySkipped ?? '', /recovery was skipped/);
      assert.deepEqual(app.recovery.marked, []);
      assert.equal(app.log.saga(ids.midStep)?.state, 'running', 'it can still be read');
      assert.equal(app.retention, null);
      await assert.rejects(app.coordinator.run(noop, {}), (e: unknown) => e instanceof SagaRefusedError && both.test(e.message));
    } finally {
      await app.shutdown();
    }
    assert.equal(sha256(file), hash);
  });

  test('a full disk fails a saga with disk_full and writes none of it', async () => {
    const dir = tempDir('boot-');
    SagaLog.open(path.join(dir, LOG_FILE_NAME)).close();
    const file = path.join(dir, LOG_FILE_NAME);
    const pages = pageCount(file);
    const app = await boot({ userDataDir: dir, distDir: DIST, retention: false, maxPageCount: pages + 1 });
    try {
      const before = dumpTables(file);
      await assert.rejects(
        app.coordinator.run(noop, { payload: 'x'.repeat(256 * 1024) }),
        (e: unknown) => e instanceof SagaLogError && e.code === 'disk_full' && /full/.test(e.message),
      );
      assert.equal(dumpTables(file), before);
      assert.equal((await app.coordinator.run(noop, {})).state, 'completed', 'a saga that fits still runs');
    } finally {
      await app.shutdown();
    }
  });

  test('a full disk during recovery stops the launch, marks nothing and frees the profile', async () => {
    const dir = tempDir('boot-');
    const file = path.join(dir, LOG_FILE_NAME);
    const log = SagaLog.open(file);
    for (let i = 0; i < 200; i++) {
      const id = log.startSaga({ name: 'open_workspace', inputJson: '{}' });
      log.startStep({ sagaId: id, stepIndex: 0, name: 'create_workspace', target: 'srv', cmdJson: '{}', peerGeneration: 1 });
    }
    log.checkpoint();
    log.close();
    const pages = pageCount(file);
    const before = dumpTables(file);
    await assert.rejects(
      boot({ userDataDir: dir, distDir: DIST, maxPageCount: pages }),
      (e: unknown) => e instanceof SagaLogError && e.code === 'disk_full' && /^launch stopped: recovery/.test(e.message),
    );
    assert.equal(dumpTables(file), before);
    const app = await boot({ userDataDir: dir, distDir: DIST, retention: false });
    assert.equal(app.recovery.marked.length, 200);
    await app.shutdown();
  });

  test('an error while recovering that is not damage stops the launch; it is never taken for an empty log', async () => {
    const dir = tempDir('boot-');
    seed(dir);
    const file = path.join(dir, LOG_FILE_NAME);
    const before = dumpTables(file);
    let other: Database.Database | undefined;
    await assert.rejects(
      boot({
        userDataDir: dir,
        distDir: DIST,
        busyTimeoutMs: 50,
        onPhase: (p) => {
          if (p !== 'recover') return;
          // Another writer takes the log between open and recovery.
          other = new Database(file);
          other.exec('BEGIN IMMEDIATE');
        },
      }),
      (e: unknown) =>
        e instanceof SagaLogError && e.code === 'busy' && /^launch stopped: recovery .* nothing was marked .*locked by another process/.test(e.message),
    );
    other?.exec('ROLLBACK');
    other?.close();
    assert.equal(dumpTables(file), before);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('.bad-')), [], 'a lock is not damage: nothing moved aside');
    const app = await boot({ userDataDir: dir, distDir: DIST, retention: false });
    assert.equal(app.recovery.marked.length, 5);
    await app.shutdown();
  });

  test('a log locked by a foreign process fails the launch as busy and frees the profile', async () => {
    const dir = tempDir('boot-');
    seed(dir);
    const file = path.join(dir, LOG_FILE_NAME);
    const holder = startTs(path.join(import.meta.dirname, 'fixtures', 'lock-db.ts'), [file]);
    await holder.waitFor(/^locked$/);
    await assert.rejects(
      boot({ userDataDir: dir, distDir: DIST, busyTimeoutMs: 50 }),
      (e: unknown) => e instanceof SagaLogError && e.code === 'busy' && /locked by another process/.test(e.message),
    );
    await killHard(holder);
    const app = await boot({ userDataDir: dir, distDir: DIST, retention: false });
    assert.equal(app.recovery.marked.length, 5);
    await app.shutdown();
  });

  test('a read-only user-data dir fails the launch at the profile lock, saying so', async () => {
    const dir = tempDir('boot-ro-');
    fs.chmodSync(dir, 0o555);
    const child = startTs(BOOT_CHILD, [dir, 'try'], {}, process.getuid?.() === 0 ? 65534 : undefined);
    assert.match(await child.waitFor(/^error /), /cannot take the profile lock in the user-data dir .*: the folder is read-only/);
    assert.deepEqual(fs.readdirSync(dir), []);
    fs.chmodSync(dir, 0o755);
  });
});
