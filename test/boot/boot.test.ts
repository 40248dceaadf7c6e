import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { z } from 'zod';
import type { MovedAsideFile } from '../../src-shared/saga-model';
import type { BootPhase } from '../../src-main/index';
import { bootWorkspace as boot, requireBuild } from '../helpers/workspace-boot';
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
import { NOBODY, isRoot, startUnprivileged } from '../helpers/unprivileged-child';

const BOOT_CHILD = path.join(import.meta.dirname, 'fixtures', 'boot-child.ts');
requireBuild();

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

const CRASH_WRITER = path.join(import.meta.dirname, 'fixtures', 'crash-writer.ts');

/**
 * A cleanly closed log of `finished` completed sagas, then a real writer SIGKILLed mid-saga:
 * its commits exist only as frames in the -wal, beside the -shm it left.
 */
async function crashedLog(dir: string, finished: number): Promise<{ file: string; sagaId: number }> {
  const file = path.join(dir, LOG_FILE_NAME);
  const log = SagaLog.open(file);
  for (let i = 0; i < finished; i++) {
    const id = log.startSaga({ name: 'open_workspace', inputJson: JSON.stringify({ workspace: `w${i}`, pad: 'p'.repeat(200) }) });
    log.startStep({ sagaId: id, stepIndex: 0, name: 'create', target: 'srv', cmdJson: '{"op":"create"}' });
    log.finishStep(id, 0, '{}');
    log.terminate(id, 'completed');
  }
  log.checkpoint();
  log.close();
  const writer = startTs(CRASH_WRITER, [file]);
  const sagaId = Number((await writer.waitFor(/^running \d+$/)).split(' ')[1]);
  await killHard(writer);
  assert.ok(fs.statSync(`${file}-wal`).size > 0 && fs.existsSync(`${file}-shm`), 'the killed writer left its -wal and -shm');
  return { file, sagaId };
}

/** sha256 of the db and its companions ('absent' for a missing one). */
function hashes(file: string): string[] {
  return ['', '-wal', '-shm'].map((s) => (fs.existsSync(file + s) ? sha256(file + s) : 'absent'));
}

function pageSizeOf(file: string): number {
  return fs.readFileSync(file).readUInt16BE(16);
}

/** Page numbers the -wal holds frames for (reads of those pages never see the main file). */
function pagesInWal(file: string): Set<number> {
  const wal = fs.readFileSync(`${file}-wal`);
  const pageSize = wal.readUInt32BE(8);
  const pages = new Set<number>();
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) pages.add(wal.readUInt32BE(at));
  return pages;
}

/** Table leaf pages of the main file that no -wal frame replaces, in page order. */
function tableLeavesOutside(file: string, wal: Set<number>): number[] {
  const bytes = fs.readFileSync(file);
  const pageSize = pageSizeOf(file);
  const out: number[] = [];
  for (let page = 2; page * pageSize <= bytes.length; page++) {
    if (!wal.has(page) && bytes[(page - 1) * pageSize] === 0x0d) out.push(page);
  }
  return out;
}

function rootPage(file: string, name: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT rootpage FROM sqlite_master WHERE name = ?`).pluck().get(name) as number;
  } finally {
    db.close();
  }
}

function overwritePage(file: string, page: number): void {
  const pageSize = pageSizeOf(file);
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
  fs.closeSync(fd);
}

/** The saga crash-writer.ts left in flight, named in the moved-aside entry and its reason. */
function assertNamesInterrupted(moved: MovedAsideFile, sagaId: number): void {
  const reason = "interrupted while running, during step 1 'start_session' (target host, peer generation 3, outcome unknown)";
  assert.deepEqual(moved.interrupted, [
    { sagaId, name: 'open_workspace', previousState: 'running', reason, inFlightStep: { stepIndex: 1, name: 'start_session', target: 'host', peerGeneration: 3 } },
  ]);
  assert.ok(moved.reason.includes(`; it holds 1 interrupted saga, left unmarked there: #${sagaId} open_workspace ${reason}`), moved.reason);
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
    const again = await boot({ userDataDir: dir, retention: false });
    assert.deepEqual(again.recovery.marked, []);
    await again.shutdown();
  });

  test('retention runs at boot in the background: old finished sagas go, interrupted ones are kept for review', async () => {
    const dir = tempDir('boot-');
    const ids = seed(dir);
    const later = new Date(Date.now() + 30 * 24 * 60 * 60 * 1000);
    const app = await boot({ userDataDir: dir, clock: () => later });
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
      boot({ userDataDir: dir, retention: false }),
      (e: unknown) => e instanceof ProfileLockedError && e.holderPid === first.pid && e.message.includes(`pid ${first.pid}`),
    );
    const second = startTs(BOOT_CHILD, [dir, 'try']);
    assert.match(await second.waitFor(/^error /), new RegExp(`^error ProfileLockedError: .*pid ${first.pid}`));
    assert.equal(stateOf(file, sagaId), 'running', "the live saga was not marked by the second instance");
    assert.equal(dumpTables(file), before, 'nothing was written by the refused launches');

    await killHard(first);
    assert.deepEqual(await waitForNoneMarked(`LAUNCHER_TEST_MARK=${mark}`, 5000), [], 'the peers exited with their main');
    const app = await boot({ userDataDir: dir, retention: false });
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
    const app = await boot({ userDataDir: dir, retention: false });
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

  test("a crashed writer's damaged log is set aside with its -wal and -shm byte for byte; the report names its interrupted saga", async () => {
    const dir = tempDir('boot-');
    const { file, sagaId } = await crashedLog(dir, 300);
    const wal = pagesInWal(file);
    const leaves = tableLeavesOutside(file, wal);
    // A finished saga's page the crash did not touch: quick_check finds it, recovery's reads never do.
    overwritePage(file, leaves[Math.floor(leaves.length / 2)]!);
    const before = hashes(file);
    const app = await boot({ userDataDir: dir, retention: false });
    try {
      assert.equal(app.recovery.movedAside.length, 1);
      const [moved] = app.recovery.movedAside;
      assert.match(moved!.reason, /^corrupt pages /);
      assert.deepEqual(hashes(moved!.to), before, 'db, -wal and -shm are what the crash left');
      assertNamesInterrupted(moved!, sagaId);
      assert.deepEqual(app.recovery.marked, [], 'nothing of the new log was marked');
      assert.deepEqual(app.log.latestRecoveryReports(1)[0]?.movedAside, app.recovery.movedAside, 'the new log persists it');
      assert.ok((moved!.highestSagaId ?? 0) >= sagaId, 'the report records how far the moved file had issued ids');
      const next = (await app.coordinator.run(noop, {})).sagaId;
      assert.ok(next > moved!.highestSagaId!, `the fresh log continues above the moved file's ids (got ${next})`);
    } finally {
      await app.shutdown();
    }
  });

  test('damage that only recovery meets (above the quick_check size) sets the file aside before its connection closes: bytes and interrupted saga kept', async () => {
    const dir = tempDir('boot-');
    const { file, sagaId } = await crashedLog(dir, 20);
    // The report's unique index is written by recovery but read by nothing before it.
    const root = rootPage(file, 'sqlite_autoindex_launcher_recovery_report_1');
    assert.ok(!pagesInWal(file).has(root));
    overwritePage(file, root);
    const before = hashes(file);
    const app = await boot({ userDataDir: dir, retention: false, quickCheckMaxBytes: 0 });
    const [moved] = app.recovery.movedAside;
    try {
      assert.equal(app.recovery.movedAside.length, 1);
      assert.match(moved!.reason, /^corrupt pages found by launch recovery/);
      assert.deepEqual(hashes(moved!.to), before, 'no checkpoint folded the -wal in, nothing deleted it');
      assertNamesInterrupted(moved!, sagaId);
      assert.deepEqual(app.recovery.marked, []);
      assert.deepEqual(app.log.latestRecoveryReports(1)[0]?.movedAside, app.recovery.movedAside);
      const fresh = await app.coordinator.run(noop, {});
      assert.equal(fresh.state, 'completed', 'the fresh log works');
      assert.ok(fresh.sagaId > sagaId, `no id of the moved file is issued again (got ${fresh.sagaId}, moved file had ${sagaId})`);
    } finally {
      await app.shutdown();
    }
    // The crash's commits are still in the moved-aside pair: a reader of it sees the saga as the crash left it.
    const aside = SagaLog.open(moved!.to, { readonly: true });
    try {
      assert.equal(aside.saga(sagaId)?.state, 'running');
      assert.equal(aside.saga(sagaId)?.steps[1]?.state, 'pending');
    } finally {
      aside.close();
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
    const app = await boot({ userDataDir: dir });
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
    const app = await boot({ userDataDir: dir, retention: false, maxPageCount: pages + 1 });
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
      boot({ userDataDir: dir, maxPageCount: pages }),
      (e: unknown) => e instanceof SagaLogError && e.code === 'disk_full' && /^launch stopped: recovery/.test(e.message),
    );
    assert.equal(dumpTables(file), before);
    const app = await boot({ userDataDir: dir, retention: false });
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
    const app = await boot({ userDataDir: dir, retention: false });
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
      boot({ userDataDir: dir, busyTimeoutMs: 50 }),
      (e: unknown) => e instanceof SagaLogError && e.code === 'busy' && /locked by another process/.test(e.message),
    );
    await killHard(holder);
    const app = await boot({ userDataDir: dir, retention: false });
    assert.equal(app.recovery.marked.length, 5);
    await app.shutdown();
  });

  test('a read-only user-data dir fails the launch at the profile lock, saying so', async () => {
    const dir = tempDir('boot-ro-');
    fs.chmodSync(dir, 0o555);
    const child = isRoot ? startUnprivileged(BOOT_CHILD, [dir, 'try'], NOBODY) : startTs(BOOT_CHILD, [dir, 'try']);
    assert.match(await child.waitFor(/^error /), /cannot take the profile lock in the user-data dir .*: the folder is read-only/);
    assert.deepEqual(fs.readdirSync(dir), []);
    fs.chmodSync(dir, 0o755);
  });
});
