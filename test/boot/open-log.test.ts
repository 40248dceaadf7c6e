import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { openLog } from '../../src-main/boot/open-log';
import { SagaLogError } from '../../src-main/saga/log/errors';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { SCHEMA_VERSION } from '../../src-main/saga/log/schema';
import { tempDir } from '../helpers/temp-dir';
import { LAUNCHER_DDL, launcherFile } from '../fixtures/launcher-files';
import { sha256 } from '../recovery/log-fixtures';
import { startTs } from './child';
import { NOBODY, isRoot, startUnprivileged } from '../helpers/unprivileged-child';
import { runCli } from '../helpers/cli';
import { runRecovery } from '../../src-main/saga/recovery';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');

/** A closed, checkpointed log with `n` completed sagas and one left running. */
function writeLog(dir: string, n: number): string {
  const file = path.join(dir, LOG_FILE_NAME);
  const log = SagaLog.open(file);
  for (let i = 0; i < n; i++) {
    const id = log.startSaga({ name: 'open_workspace', inputJson: JSON.stringify({ workspace: `w${i}`, pad: 'p'.repeat(200) }) });
    log.startStep({ sagaId: id, stepIndex: 0, name: 'create', target: 'srv', cmdJson: '{"op":"create"}' });
    log.finishStep(id, 0, '{}');
    log.terminate(id, 'completed');
  }
  const running = log.startSaga({ name: 'open_workspace', inputJson: '{}' });
  log.startStep({ sagaId: running, stepIndex: 0, name: 'create', target: 'srv', cmdJson: '{}' });
  log.checkpoint();
  log.close();
  return file;
}

function pageInfo(file: string): { pageSize: number; roots: Record<string, number> } {
  const db = new Database(file, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const rows = db.prepare(`SELECT name, rootpage FROM sqlite_master WHERE rootpage > 0`).all() as { name: string; rootpage: number }[];
  db.close();
  return { pageSize, roots: Object.fromEntries(rows.map((r) => [r.name, r.rootpage])) };
}

function overwritePage(file: string, page: number, pageSize: number): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (page - 1) * pageSize);
  fs.closeSync(fd);
}

/** Asserts the bad file was renamed aside with every byte, and a working fresh log took its place. */
function assertMovedAside(dir: string, hash: string, reason: RegExp) {
  const { log, movedAside } = openLog(dir);
  try {
    assert.equal(movedAside.length, 1);
    const [moved] = movedAside;
    assert.equal(moved!.from, path.join(dir, LOG_FILE_NAME));
    assert.match(path.basename(moved!.to), /^launcher-sagas\.db\.bad-\d{4}-\d\d-\d\dT[\d-]+Z$/);
    assert.match(moved!.reason, reason);
    assert.equal(sha256(moved!.to), hash, 'the moved-aside file keeps every byte');
    assert.equal(log.writable, true);
    // The fresh log holds no saga but continues above every id the moved file had issued.
    assert.deepEqual(log.recent({ limit: 1 }), []);
    const floor = moved!.highestSagaId ?? 0;
    assert.equal(log.maxSagaId(), floor);
    assert.equal(log.startSaga({ name: 'fresh', inputJson: '{}' }), floor + 1);
    return moved!;
  } finally {
    log.close();
  }
}

describe('opening the log at launch', () => {
  test('a file that is not SQLite is moved aside, bytes unchanged, with its -wal, and a fresh log starts', () => {
    const dir = tempDir('open-');
    const file = path.join(dir, LOG_FILE_NAME);
    fs.writeFileSync(file, 'my notes, saved under the wrong name\n'.repeat(100));
    fs.writeFileSync(`${file}-wal`, 'wal bytes');
    const moved = assertMovedAside(dir, sha256(file), /not an SQLite database/);
    assert.equal(fs.readFileSync(`${moved.to}-wal`, 'utf8'), 'wal bytes');
  });

  test('a truncated log (cut at a page boundary, and mid-page) is moved aside', () => {
    for (const cut of ['page', 'mid'] as const) {
      const dir = tempDir('open-');
      const file = writeLog(dir, 200);
      const { pageSize } = pageInfo(file);
      const size = fs.statSync(file).size;
      const keep = cut === 'page' ? Math.floor(size / pageSize / 2) * pageSize : Math.floor(size / 2) + 17;
      fs.truncateSync(file, keep);
      assertMovedAside(dir, sha256(file), /truncated/);
    }
  });

  test('a log with damaged pages is moved aside (quick_check on a small file)', () => {
    const dir = tempDir('open-');
    const file = writeLog(dir, 300);
    const { pageSize } = pageInfo(file);
    const pages = fs.statSync(file).size / pageSize;
    overwritePage(file, Math.floor(pages / 2), pageSize);
    const moved = assertMovedAside(dir, sha256(file), /corrupt pages/);
    assert.ok((moved.highestSagaId ?? 0) >= 300, 'ids of the damaged file are read, so none is issued again');
  });

  test('above the quick_check size, damage in the pages recovery reads is still found before any write', () => {
    const dir = tempDir('open-');
    const file = writeLog(dir, 300);
    const { pageSize, roots } = pageInfo(file);
    for (const damaged of ['launcher_saga', 'idx_launcher_saga_state']) {
      const copyDir = tempDir('open-');
      const copy = path.join(copyDir, LOG_FILE_NAME);
      fs.copyFileSync(file, copy);
      overwritePage(copy, roots[damaged]!, pageSize);
      const hash = sha256(copy);
      const { log, movedAside } = openLog(copyDir, { quickCheckMaxBytes: 0 });
      log.close();
      assert.equal(movedAside.length, 1, `damage in ${damaged} is found`);
      assert.match(movedAside[0]!.reason, /corrupt pages/);
      assert.equal(sha256(movedAside[0]!.to), hash);
    }
  });

  test('an older schema gets a full quick_check whatever its size, so no migration meets damage; its interrupted saga is named', () => {
    const dir = tempDir('open-');
    const file = path.join(dir, LOG_FILE_NAME);
    // A version 1 file, as the launcher before this build wrote it.
    const db = new Database(file);
    db.exec(LAUNCHER_DDL);
    db.pragma('user_version = 1');
    const saga = db.prepare(`INSERT INTO launcher_saga(saga_id, name, state, started_at, input_json) VALUES (?, 'open_workspace', ?, '2024-01-01T00:00:00.000Z', ?)`);
    const step = db.prepare(`INSERT INTO launcher_saga_step(saga_id, step_index, name, state, target, started_at) VALUES (?, 0, 'create', ?, 'srv', '2024-01-01T00:00:00.000Z')`);
    for (let id = 1; id <= 300; id++) {
      saga.run(id, id === 300 ? 'running' : 'completed', JSON.stringify({ pad: 'p'.repeat(200) }));
      step.run(id, id === 300 ? 'pending' : 'succeeded');
    }
    db.close();
    const { pageSize, roots } = pageInfo(file);
    const bytes = fs.readFileSync(file);
    const leaves: number[] = [];
    for (let page = 2; page * pageSize <= bytes.length; page++) if (bytes[(page - 1) * pageSize] === 0x0d) leaves.push(page);
    const damaged = leaves.find((p) => p > roots.launcher_saga_step! + 2 && p < leaves[leaves.length - 3]!)!;
    overwritePage(file, damaged, pageSize);
    const hash = sha256(file);
    const { log, movedAside } = openLog(dir, { quickCheckMaxBytes: 0 });
    log.close();
    assert.equal(movedAside.length, 1);
    assert.match(movedAside[0]!.reason, /^corrupt pages \(/, 'found by the check, not by a migration on a writable connection');
    assert.equal(sha256(movedAside[0]!.to), hash);
    assert.deepEqual(movedAside[0]!.interrupted?.map((m) => [m.sagaId, m.reason]), [
      [300, "interrupted while running, during step 0 'create' (target srv, outcome unknown)"],
    ]);
  });

  test('boot holds no SQL: every statement against the saga log lives in src-main/saga/log', () => {
    const bootDir = path.join(import.meta.dirname, '../../src-main/boot');
    // profile-lock.ts holds an SQLite lock on its own file (launcher.lock), never on the log.
    for (const f of fs.readdirSync(bootDir).filter((name) => name !== 'profile-lock.ts')) {
      const source = fs.readFileSync(path.join(bootDir, f), 'utf8');
      assert.doesNotMatch(source, /better-sqlite3|\bSELECT\b|\bpragma\(|\.prepare\(/, f);
    }
  });

  test("another program's SQLite file is moved aside", () => {
    const dir = tempDir('open-');
    const file = path.join(dir, LOG_FILE_NAME);
    const db = new Database(file);
    db.exec(`CREATE TABLE bookmarks(url TEXT); INSERT INTO bookmarks VALUES ('https://example.org')`);
    db.close();
    assertMovedAside(dir, sha256(file), /not a launcher saga log/);
  });

  test('a sound log is opened in place, nothing moved', () => {
    const dir = tempDir('open-');
    writeLog(dir, 3);
    const { log, movedAside } = openLog(dir);
    assert.deepEqual(movedAside, []);
    assert.equal(log.unresolved().length, 1);
    log.close();
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('.bad-')), []);
  });

  test('a newer schema is opened read-only in place, naming both versions, bytes unchanged', () => {
    const dir = tempDir('open-');
    const file = writeLog(dir, 3);
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const hash = sha256(file);
    const { log, movedAside } = openLog(dir);
    assert.deepEqual(movedAside, []);
    assert.equal(log.writable, false);
    assert.match(log.readOnlyReason ?? '', new RegExp(`version ${SCHEMA_VERSION + 1}, newer than this build's version ${SCHEMA_VERSION}`));
    assert.equal(log.recent({ limit: 10 }).length, 4, 'it can still be read');
    log.close();
    assert.equal(sha256(file), hash);
  });

  test('a log locked by a foreign process fails the open as busy; nothing is moved or written', async () => {
    const dir = tempDir('open-');
    const file = writeLog(dir, 3);
    const hash = sha256(file);
    const holder = startTs(path.join(FIXTURES, 'lock-db.ts'), [file]);
    await holder.waitFor(/^locked$/);
    assert.throws(
      () => openLog(dir, { busyTimeoutMs: 50 }),
      (e: unknown) => e instanceof SagaLogError && e.code === 'busy' && /locked by another process/.test(e.message),
    );
    assert.equal(sha256(file), hash);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('.bad-')), []);
    holder.proc.kill('SIGKILL');
    await holder.exited;
    openLog(dir).log.close();
  });

  test('a read-only user-data folder or log file fails the launch saying which; nothing changes', async () => {
    // As root, permissions do not bind; the open runs as an unprivileged user instead.
    const run = async (dir: string) => {
      const script = path.join(FIXTURES, 'open-log-child.ts');
      const child = isRoot ? startUnprivileged(script, [dir], NOBODY) : startTs(script, [dir]);
      await child.exited;
      return child.stdout().trim();
    };
    const roDir = tempDir('open-ro-');
    fs.chmodSync(roDir, 0o555);
    assert.match(await run(roDir), /^error read_only: the user-data dir .* is read-only/);
    assert.deepEqual(fs.readdirSync(roDir), []);

    const dir = tempDir('open-ro-');
    const file = writeLog(dir, 3);
    fs.chmodSync(dir, 0o777);
    fs.chmodSync(file, 0o444);
    const hash = sha256(file);
    assert.match(await run(dir), /^error read_only: the saga log file .*launcher-sagas\.db is read-only/);
    assert.equal(sha256(file), hash);
    fs.chmodSync(roDir, 0o755);
  });

  test('a full disk while creating the log fails the launch as disk_full', () => {
    const dir = tempDir('open-');
    assert.throws(
      () => openLog(dir, { maxPageCount: 2 }),
      (e: unknown) => e instanceof SagaLogError && e.code === 'disk_full' && /full/.test(e.message),
    );
  });
});

describe('files from every build of the launcher', () => {
  const columns = (file: string, table: string): string[] => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]);
    } finally {
      db.close();
    }
  };

  test("(a) the launcher's tables stamped 0 (a crash between its DDL and its stamp) open writable, nothing lost", () => {
    const dir = tempDir('open-');
    launcherFile(dir, 'unstamped');
    const { log, movedAside } = openLog(dir);
    try {
      assert.deepEqual(movedAside, []);
      assert.equal(log.writable, true);
      assert.deepEqual(log.recent({ limit: 10 }).map((s) => [s.sagaId, s.state]), [[8, 'running'], [7, 'completed']]);
      assert.equal(log.saga(7)?.steps[0]?.outputJson, '{}');
      const report = runRecovery(log, { bootId: 'b1', movedAside });
      assert.deepEqual(report.marked.map((m) => m.sagaId), [8]);
      assert.equal(log.startSaga({ name: 'next', inputJson: '{}' }), 9);
    } finally {
      log.close();
    }
    const db = new Database(path.join(dir, LOG_FILE_NAME), { readonly: true });
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    db.close();
  });

  test('(b) a file this build migrated, re-stamped 1 by an older build, opens writable with both builds\' sagas', () => {
    const dir = tempDir('open-');
    launcherFile(dir, 'restamped');
    const { log, movedAside } = openLog(dir);
    try {
      assert.deepEqual(movedAside, []);
      assert.equal(log.writable, true);
      const ours = log.saga(1);
      assert.equal(ours?.plannedSteps, 1);
      assert.equal(ours?.steps[0]?.kind, 'compensatable');
      assert.equal(ours?.steps[0]?.outputJson, '{"workspaceId":"w1"}');
      assert.equal(log.saga(2)?.name, 'tear_off_tab', "the older build's saga is there too");
      // The older build issued id 2 without the high-water mark; ids still continue above it.
      assert.equal(log.startSaga({ name: 'next', inputJson: '{}' }), 3);
    } finally {
      log.close();
    }
  });

  test("(c) another lineage's newer file without this build's tables opens read-only and reads what is there", () => {
    const dir = tempDir('open-');
    const file = launcherFile(dir, 'other_lineage_newer', SCHEMA_VERSION);
    const hash = sha256(file);
    const { log, movedAside } = openLog(dir);
    try {
      assert.deepEqual(movedAside, []);
      assert.equal(log.writable, false);
      assert.match(log.readOnlyReason ?? '', new RegExp(`version ${SCHEMA_VERSION + 1}, newer than this build's version ${SCHEMA_VERSION}`));
      assert.deepEqual(log.recent({ limit: 10 }).map((s) => [s.sagaId, s.plannedSteps, s.inFlightStep?.name ?? null]), [
        [8, null, 'detach'],
        [7, null, null],
      ]);
      assert.equal(log.maxSagaId(), 8);
      assert.deepEqual(log.latestRecoveryReports(5), []);
      assert.deepEqual(log.unresolved().map((s) => s.sagaId), [8]);
      assert.throws(() => log.startSaga({ name: 'x', inputJson: '{}' }), (e: unknown) => e instanceof SagaLogError && e.code === 'newer_schema');
    } finally {
      log.close();
    }
    assert.equal(sha256(file), hash);
    assert.ok(columns(file, 'launcher_saga').includes('priority'));
  });

  for (const [kind, names] of [
    ['column_of_another_type', /column launcher_saga\.planned_steps exists as TEXT, but this build adds it as INTEGER/],
    ['table_of_other_columns', /table launcher_recovery_report exists without its column boot_id .*marked_json/],
  ] as const) {
    test(`(d) a file whose migration cannot apply (${kind.replace(/_/g, ' ')}) is refused naming table and column; nothing half-applied, bytes kept`, () => {
      const dir = tempDir('open-');
      const file = launcherFile(dir, kind);
      const hash = sha256(file);
      const listing = fs.readdirSync(dir).sort();
      const before = columns(file, 'launcher_saga_step');
      assert.throws(
        () => openLog(dir),
        (e: unknown) => e instanceof SagaLogError && e.code === 'schema_conflict' && names.test(e.message) && /nothing was changed/.test(e.message),
      );
      assert.equal(sha256(file), hash, 'the original bytes are kept');
      assert.deepEqual(fs.readdirSync(dir).sort(), listing, 'nothing moved aside, no companions left');
      assert.deepEqual(columns(file, 'launcher_saga_step'), before, "no other version's additions were applied");
    });
  }

  test('(d) a launch refuses such a file with that message and exit code 1, bytes kept', () => {
    const dir = tempDir('open-');
    const file = launcherFile(dir, 'column_of_another_type');
    const hash = sha256(file);
    const r = runCli(['headless', '--user-data-dir', dir, '--port', '0']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^launcher-saga: .*cannot be upgraded to schema version \d+: column launcher_saga\.planned_steps exists as TEXT/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(sha256(file), hash);
  });
});
