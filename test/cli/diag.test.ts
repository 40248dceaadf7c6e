import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { SagaLog } from '../../src-main/saga/log/saga-log';
import { SCHEMA_VERSION } from '../../src-main/saga/log/schema';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/temp-dir';
import { killHard, startTs } from '../boot/child';
import { logWithBadRows } from '../ipc/bad-rows-fixture';
import { LAUNCHER_DDL, launcherFile } from '../fixtures/launcher-files';

const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A hand-made log: one completed saga, one a crash interrupted and recovery marked, one running. */
function handMadeLog(file: string): { done: number; crashed: number; live: number } {
  const log = SagaLog.open(file);
  const done = log.startSaga({ name: 'open_workspace', inputJson: '{"workspace":"a"}', plannedSteps: 1 });
  log.startStep({ sagaId: done, stepIndex: 0, name: 'create_workspace', target: 'srv', cmdJson: '{}', peerGeneration: 1 });
  log.finishStep(done, 0, '{}');
  log.terminate(done, 'completed');
  const crashed = log.startSaga({ name: 'open_workspace', inputJson: '{"workspace":"b"}', plannedSteps: 3 });
  log.startStep({ sagaId: crashed, stepIndex: 0, name: 'create_workspace', target: 'srv', cmdJson: '{}', peerGeneration: 1 });
  log.finishStep(crashed, 0, '{}');
  log.startStep({ sagaId: crashed, stepIndex: 1, name: 'start_session', target: 'host', cmdJson: '{}', peerGeneration: 2 });
  log.markFailedCompensation(crashed, "interrupted during step 1 'start_session' (target host, outcome unknown)");
  const live = log.startSaga({ name: 'close_workspace', inputJson: '{}' });
  log.checkpoint();
  log.close();
  return { done, crashed, live };
}

describe('launcher-saga diag', () => {
  test('prints recent sagas with their steps and marks the step in flight, file unchanged', () => {
    const file = path.join(tempDir(), 'launcher-sagas.db');
    const ids = handMadeLog(file);
    const before = sha(file);
    const listing = fs.readdirSync(path.dirname(file)).sort();
    const r = runCli(['diag', '--db', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(fs.readdirSync(path.dirname(file)).sort(), listing, 'diag creates no -wal or -shm beside the log');
    assert.match(r.stdout, new RegExp(`#${ids.crashed} open_workspace failed_compensation`));
    assert.match(r.stdout, /1 start_session \[host gen 2\] pending  <- in flight at interruption, outcome unknown/);
    assert.match(r.stdout, /1 failed_compensation, 1 unresolved/);
    assert.ok(r.stdout.indexOf(`#${ids.live}`) < r.stdout.indexOf(`#${ids.done}`), 'newest first');
    assert.equal(sha(file), before);
  });

  test("a reconciled step shows reconciliation's answer in one line, and in JSON", () => {
    const file = path.join(tempDir(), 'launcher-sagas.db');
    const ids = handMadeLog(file);
    const log = SagaLog.open(file);
    assert.deepEqual(log.stepsToReconcile().map((st) => [st.sagaId, st.stepIndex, st.target]), [[ids.crashed, 1, 'host']]);
    const why = "the peer records 'start_session' receipts just after the effect and holds none for this step";
    log.recordReconciliation([{ sagaId: ids.crashed, stepIndex: 1, answer: 'unknown', why, source: 'peer host generation 1', outputJson: null, sentence: 'reconciliation: still unknown' }]);
    log.checkpoint();
    log.close();
    const r = runCli(['diag', '--db', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\n {5}reconciled: unknown \(the peer records 'start_session' receipts just after the effect and holds none for this step; peer host generation 1, \d{4}-.*UTC\)\n/);
    assert.match(r.stdout, /reason: interrupted during step 1 'start_session' \(target host, outcome unknown\); reconciliation: still unknown/);
    const json = JSON.parse(runCli(['diag', '--db', file, '--json']).stdout) as { sagas: { sagaId: number; steps: { reconciliation: { answer: string; why: string } | null }[] }[] };
    const step = json.sagas.find((sg) => sg.sagaId === ids.crashed)?.steps[1];
    assert.deepEqual([step?.reconciliation?.answer, step?.reconciliation?.why], ['unknown', why]);
  });

  test('--json prints one JSON document and nothing else; --state filters; --limit bounds', () => {
    const file = path.join(tempDir(), 'launcher-sagas.db');
    const ids = handMadeLog(file);
    const r = runCli(['diag', '--db', file, '--json', '--state', 'failed_compensation']);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { sagas: { sagaId: number; inFlightStep: { stepIndex: number; target: string } | null; steps: unknown[] }[] };
    assert.deepEqual(doc.sagas.map((s) => s.sagaId), [ids.crashed]);
    assert.deepEqual(doc.sagas[0]?.inFlightStep, { stepIndex: 1, name: 'start_session', target: 'host', peerGeneration: 2 });
    assert.equal(doc.sagas[0]?.steps.length, 2);
    const limited = JSON.parse(runCli(['diag', '--db', file, '--json', '--limit', '1']).stdout) as { sagas: unknown[] };
    assert.equal(limited.sagas.length, 1);
  });

  test('a missing file is exit 2 with one sentence and is not created', () => {
    const file = path.join(tempDir(), 'nope.db');
    const r = runCli(['diag', '--db', file]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no saga log at .*nope\.db.*never creates/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(fs.existsSync(file), false);
  });

  test('a corrupt file and a foreign SQLite file are exit 2, untouched', () => {
    const dir = tempDir();
    const junk = path.join(dir, 'junk.db');
    fs.writeFileSync(junk, crypto.randomBytes(8192));
    const foreign = path.join(dir, 'foreign.db');
    const db = new Database(foreign);
    db.exec('CREATE TABLE t(x); INSERT INTO t VALUES (1)');
    db.close();
    for (const file of [junk, foreign]) {
      const before = sha(file);
      const r = runCli(['diag', '--db', file]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /^launcher-saga: .+/);
      assert.equal(sha(file), before);
    }
  });

  test('a newer-version file is readable, says so, and is not changed', () => {
    const file = path.join(tempDir(), 'launcher-sagas.db');
    const ids = handMadeLog(file);
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = sha(file);
    const r = runCli(['diag', '--db', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this build's version ${SCHEMA_VERSION}`));
    assert.match(r.stdout, new RegExp(`#${ids.done} open_workspace completed`));
    assert.equal(sha(file), before);
  });

  test('a version 1 file from an older build is read through an in-memory upgrade, untouched', () => {
    const dir = tempDir();
    const file = path.join(dir, 'launcher-sagas.db');
    const db = new Database(file);
    db.exec(LAUNCHER_DDL);
    db.pragma('user_version = 1');
    db.prepare(`INSERT INTO launcher_saga VALUES (7, 'legacy', 'failed_compensation', '2026-01-01T00:00:00Z', '2026-01-01T00:00:01Z', '{}', 'old crash')`).run();
    db.prepare(`INSERT INTO launcher_saga_step(saga_id, step_index, name, state, cmd_json, target, started_at) VALUES (7, 0, 'spawn', 'pending', '{}', 'host', '2026-01-01T00:00:00Z')`).run();
    db.close();
    const before = sha(file);
    const listing = fs.readdirSync(dir).sort();
    const r = runCli(['diag', '--db', file, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { schemaVersion: number; sagas: { sagaId: number; inFlightStep: { name: string } | null }[] };
    assert.equal(doc.schemaVersion, 1);
    assert.equal(doc.sagas[0]?.sagaId, 7);
    assert.equal(doc.sagas[0]?.inFlightStep?.name, 'spawn');
    assert.equal(sha(file), before);
    assert.deepEqual(fs.readdirSync(dir).sort(), listing);
  });

  test('a directory given as the log is exit 2, suggesting the log inside it', () => {
    const empty = tempDir();
    const r = runCli(['diag', '--db', empty]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /is a folder, not a saga log; the log is the launcher-sagas\.db file in a profile folder/);
    const profile = tempDir();
    handMadeLog(path.join(profile, 'launcher-sagas.db'));
    const withLog = runCli(['diag', '--db', profile]);
    assert.equal(withLog.status, 2);
    assert.equal(withLog.stderr, `launcher-saga: diag: ${profile} is a folder, not a saga log; did you mean --db ${path.join(profile, 'launcher-sagas.db')}?\n`);
  });

  test("shows each saga's input, cut like the panel's, in text and JSON; times say UTC", () => {
    const file = path.join(tempDir(), 'launcher-sagas.db');
    const log = SagaLog.open(file);
    const big = log.startSaga({ name: 'open_workspace', inputJson: JSON.stringify({ name: 'payroll', accessToken: '[redacted]', blob: 'z'.repeat(20_000) }) });
    log.close();
    const text = runCli(['diag', '--db', file]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^  input: \{"name":"payroll","accessToken":"\[redacted\]","blob":"z+… \(\d+ bytes in full\)$/m);
    assert.match(text.stdout, /started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    const doc = JSON.parse(runCli(['diag', '--db', file, '--json']).stdout) as { sagas: { sagaId: number; input: { text: string; truncated: boolean; fullSize: number } }[] };
    assert.equal(doc.sagas[0]?.sagaId, big);
    assert.equal(doc.sagas[0]?.input.truncated, true);
    assert.ok(Buffer.byteLength(doc.sagas[0]!.input.text) <= 16 * 1024);
  });

  test('--unreviewed lists only failed_compensation sagas nobody reviewed', () => {
    const file = path.join(tempDir(), 'launcher-sagas.db');
    const ids = handMadeLog(file);
    const log = SagaLog.open(file);
    const other = log.startSaga({ name: 'open_workspace', inputJson: '{}' });
    log.markFailedCompensation(other, 'undo failed');
    log.markReviewed(ids.crashed, 'ops', 'repaired by hand');
    log.close();
    const doc = JSON.parse(runCli(['diag', '--db', file, '--json', '--unreviewed']).stdout) as { filter: { unreviewed: boolean }; sagas: { sagaId: number }[] };
    assert.deepEqual(doc.sagas.map((s) => s.sagaId), [other]);
    assert.equal(doc.filter.unreviewed, true);
    const text = runCli(['diag', '--db', file, '--unreviewed']);
    assert.match(text.stdout, /showing 1 most recent unreviewed failed_compensation/);
    const clash = runCli(['diag', '--db', file, '--unreviewed', '--state', 'completed']);
    assert.equal(clash.status, 2);
    assert.match(clash.stderr, /--unreviewed lists failed_compensation sagas; it cannot be combined with --state completed/);
  });

  test('--help prints the options and an example, exit 0', () => {
    const r = runCli(['diag', '--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^usage: launcher-saga diag --db FILE/);
    assert.match(r.stdout, /--unreviewed/);
    assert.match(r.stdout, /^example/m);
  });

  test('bad arguments are exit 2', () => {
    assert.equal(runCli(['diag']).status, 2);
    assert.equal(runCli(['diag', '--db', 'x', '--limit', 'ten']).status, 2);
    assert.equal(runCli(['diag', '--db', 'x', '--state', 'sleeping']).status, 2);
    assert.equal(runCli(['diag', '--db', 'x', '--bogus']).status, 2);
    assert.equal(runCli(['frobnicate']).status, 2);
  });
});

/** Every file beside the log with its bytes, so a test can say diag changed nothing there. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((name) => [name, sha(path.join(dir, name))]));
}

describe('diag changes no byte beside the file', () => {
  const CRASH_WRITER = path.join(import.meta.dirname, '..', 'boot', 'fixtures', 'crash-writer.ts');

  /** A log whose last commits exist only as -wal frames: a real writer SIGKILLed mid-saga. */
  async function crashLeft(): Promise<{ dir: string; file: string; sagaId: number }> {
    const dir = tempDir('diag-wal-');
    const file = path.join(dir, 'launcher-sagas.db');
    handMadeLog(file);
    const writer = startTs(CRASH_WRITER, [file]);
    const sagaId = Number((await writer.waitFor(/^running \d+$/)).split(' ')[1]);
    await killHard(writer);
    assert.ok(fs.statSync(`${file}-wal`).size > 0 && fs.existsSync(`${file}-shm`), 'the killed writer left -wal and -shm');
    return { dir, file, sagaId };
  }

  test('a crash-left -wal and -shm: the -shm keeps its bytes, and the -wal commits are shown', async () => {
    const { dir, file, sagaId } = await crashLeft();
    const before = snapshot(dir);
    const r = runCli(['diag', '--db', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`#${sagaId} open_workspace running`), 'the commits only the -wal holds are read');
    assert.match(r.stdout, /1 start_session \[host gen 3\] pending/);
    assert.deepEqual(snapshot(dir), before);
  });

  test('a -wal without its -shm: no -shm is created', async () => {
    const { dir, file, sagaId } = await crashLeft();
    fs.rmSync(`${file}-shm`);
    const before = snapshot(dir);
    const r = runCli(['diag', '--db', file, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as { sagas: { sagaId: number }[] }).sagas.some((s) => s.sagaId === sagaId));
    assert.deepEqual(snapshot(dir), before, 'same files, same bytes');
  });

  test('a torn last -wal frame is ignored like SQLite ignores it; the commits before it are shown', async () => {
    const { dir, file, sagaId } = await crashLeft();
    fs.rmSync(`${file}-shm`);
    // Cut the -wal mid-frame: a crash during a write leaves exactly this.
    const wal = fs.readFileSync(`${file}-wal`);
    fs.writeFileSync(`${file}-wal`, wal.subarray(0, wal.length - 100));
    const before = snapshot(dir);
    const r = runCli(['diag', '--db', file, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const ids = (JSON.parse(r.stdout) as { sagas: { sagaId: number }[] }).sagas.map((s) => s.sagaId);
    assert.ok(ids.length >= 3 && !ids.includes(sagaId + 1), `read ${ids.join(',')}`);
    assert.deepEqual(snapshot(dir), before);
  });
});

describe('diag survives bad rows and prints terminal-safe text', () => {
  test('a saga row outside the contract and a malformed recovery report are shown as unreadable, with the rest', () => {
    const { file, good, bad } = logWithBadRows();
    const r = runCli(['diag', '--db', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^#${bad} unreadable: its row does not match this build's contract \\(state: .+\\)$`, 'm'));
    assert.match(r.stdout, /^latest recovery: report \d+ \(boot boot-newest at .+\) is unreadable: marked_json is not JSON/m);
    for (const id of good) assert.match(r.stdout, new RegExp(`^#${id} install-package completed`, 'm'));
    const json = runCli(['diag', '--db', file, '--json']);
    assert.equal(json.status, 0, json.stderr);
    const doc = JSON.parse(json.stdout) as { sagas: { sagaId: number }[]; unreadable: { sagas: { sagaId: number }[]; latestRecovery: { bootId: string } | null } };
    assert.deepEqual(doc.unreadable.sagas.map((u) => u.sagaId), [bad]);
    assert.equal(doc.unreadable.latestRecovery?.bootId, 'boot-newest');
    assert.ok(good.every((id) => doc.sagas.some((s) => s.sagaId === id)));
  });

  test('control characters stored in the log are printed as visible escapes, in text and JSON', () => {
    const file = path.join(tempDir(), 'launcher-sagas.db');
    const log = SagaLog.open(file);
    const hostile = 'ok\u001b]0;pwned\u0007\u001b[2J\r\n#999 fake_saga completed\u009b31m\u202eevil';
    const id = log.startSaga({ name: 'open_workspace\u001b[31m', inputJson: '{}' });
    log.startStep({ sagaId: id, stepIndex: 0, name: `step\u0008\u0008${hostile}`, target: 'host', cmdJson: '{}' });
    log.failStep(id, 0, hostile);
    log.markFailedCompensation(id, hostile);
    log.markReviewed(id, 'ops', hostile);
    log.checkpoint();
    log.close();
    const r = runCli(['diag', '--db', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/, 'no control character but the line ends');
    assert.doesNotMatch(r.stdout, /^#999/m, 'no faked line');
    assert.match(r.stdout, /reviewed by ops at .*: ok\\e\]0;pwned\\x07\\e\[2J\\r\\n#999 fake_saga completed\\x9b31m\\u202eevil/);
    assert.match(r.stdout, /#1 open_workspace\\e\[31m failed_compensation/);
    const json = runCli(['diag', '--db', file, '--json']);
    assert.equal(json.status, 0, json.stderr);
    assert.doesNotMatch(json.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    const doc = JSON.parse(json.stdout) as { sagas: { review: { note: string } }[] };
    assert.equal(doc.sagas[0]?.review.note, hostile, 'JSON escapes keep the exact text');
  });
});

describe("launcher-saga diag on files from every build of the launcher", () => {
  const read = (file: string) => {
    const before = sha(file);
    const listing = fs.readdirSync(path.dirname(file)).sort();
    const r = runCli(['diag', '--db', file, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(sha(file), before, 'diag changes no byte');
    assert.deepEqual(fs.readdirSync(path.dirname(file)).sort(), listing);
    return JSON.parse(r.stdout) as {
      schemaVersion: number;
      readOnlyReason: string | null;
      schemaConflicts: string[];
      counts: { unresolved: number };
      sagas: { sagaId: number; state: string; inFlightStep: { name: string } | null; steps: { name: string }[] }[];
    };
  };

  test("(a) the launcher's tables stamped 0 read in full", () => {
    const doc = read(launcherFile(tempDir(), 'unstamped'));
    assert.equal(doc.schemaVersion, 0);
    assert.deepEqual(doc.sagas.map((s) => [s.sagaId, s.state, s.steps.length]), [[8, 'running', 1], [7, 'completed', 1]]);
    assert.equal(doc.sagas[0]?.inFlightStep?.name, 'detach');
    assert.deepEqual(doc.schemaConflicts, []);
  });

  test('(b) a file this build migrated and an older build re-stamped 1 reads both builds\' sagas', () => {
    const doc = read(launcherFile(tempDir(), 'restamped'));
    assert.equal(doc.schemaVersion, 1);
    assert.deepEqual(doc.sagas.map((s) => s.sagaId), [2, 1]);
    assert.equal(doc.sagas[1]?.steps[0]?.name, 'create_workspace');
  });

  test("(c) another lineage's newer file without this build's tables is read, not 'no such table'", () => {
    const file = launcherFile(tempDir(), 'other_lineage_newer', SCHEMA_VERSION);
    const doc = read(file);
    assert.equal(doc.schemaVersion, SCHEMA_VERSION + 1);
    assert.match(doc.readOnlyReason ?? '', /newer than this build's/);
    assert.deepEqual(doc.sagas.map((s) => s.sagaId), [8, 7]);
    assert.equal(doc.counts.unresolved, 1);
    const text = runCli(['diag', '--db', file]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /#8 tear_off_tab running/);
  });

  test('(d) a file a launch would refuse is read, and diag names the table and column that stop its upgrade', () => {
    const file = launcherFile(tempDir(), 'column_of_another_type');
    const doc = read(file);
    assert.deepEqual(doc.sagas.map((s) => s.sagaId), [8, 7]);
    assert.match(doc.schemaConflicts.join(), /column launcher_saga\.planned_steps exists as TEXT/);
    const text = runCli(['diag', '--db', file]);
    assert.match(text.stdout, /note: a launch refuses this file, since this build cannot upgrade it: column launcher_saga\.planned_steps/);
    const other = read(launcherFile(tempDir(), 'table_of_other_columns'));
    assert.equal(other.sagas.length, 2);
    assert.match(other.schemaConflicts.join(), /table launcher_recovery_report exists without its column/);
  });
});
