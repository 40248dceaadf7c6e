// The full crash-point matrix (cases generated from the sagas the workspace app registers; see
// matrix/cases.ts). Each case SIGKILLs a real main at its point (and, for the points inside
// reconciliation and "compensate now", a relaunched main too), then relaunches on the same
// profile: recovery marked the saga, reconciliation's answer for the step in flight matches what
// the peer's own store holds, "compensate now" leaves no workspace, session or panel view behind,
// and one more launch changes nothing.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { LOG_FILE_NAME, OperatorActionError, type SagaSubsystem, provenByLog } from '../../src-main/index';
import { WORKSPACE_SAGAS } from '../../src-main/workspace-app/app';
import { FaultPlan, withFaults } from '../../src-main/workspace-app/fault-plan';
import { PanelViews, selfHandlers } from '../../src-main/workspace-app/panel-views';
import { ATOMIC_OPS } from '../../src-main/workspace-app/workspace-store';
import { startProcess } from '../boot/child';
import { DIST_DIR, bootWorkspace, requireBuild } from '../helpers/workspace-boot';
import { tempDir } from '../helpers/temp-dir';
import { dumpSagaRecords } from './log-fixtures';
import { type Launch, type MatrixCase, matrixCases } from './matrix/cases';
import { WORKSPACE_NAME, compensateAsOperator } from './matrix/launch';
import { dumpPeerStores, liveSessions, receiptsFor, workspaces } from './matrix/stores';
import { waitForNoneMarked } from './processes';

const CHILD_SOURCE = path.join(import.meta.dirname, 'fixtures', 'matrix-child.ts');
const ROOT = path.resolve(import.meta.dirname, '../..');
requireBuild();

const CASES = matrixCases(WORKSPACE_SAGAS);
// Read by scripts/summary-reporter.mjs, which repeats it under the run's summary.
process.stdout.write(`crash-point matrix: ${CASES.length} cases\n`);

interface SagaRow {
  sagaId: number;
  state: string;
  /** Step rows by index: state, target, op and reconciliation's recorded answer. */
  steps: { stepIndex: number; state: string; target: string | null; op: string | null; cmdJson: string | null; reconciled: string | null }[];
}

/** The case's saga as the log file holds it (the newest of that name: close_workspace follows an open). */
function readSaga(file: string, name: string): SagaRow | null {
  const db = new Database(file, { readonly: true });
  try {
    const saga = db.prepare(`SELECT saga_id AS sagaId, state FROM launcher_saga WHERE name = ? ORDER BY saga_id DESC LIMIT 1`).get(name) as Omit<SagaRow, 'steps'> | undefined;
    if (!saga) return null;
    const steps = db
      .prepare(
        `SELECT step_index AS stepIndex, state, target, json_extract(cmd_json, '$.op') AS op, cmd_json AS cmdJson, reconciled
         FROM launcher_saga_step WHERE saga_id = ? ORDER BY step_index`,
      )
      .all(saga.sagaId) as SagaRow['steps'];
    return { ...saga, steps };
  } finally {
    db.close();
  }
}

// The child is bundled once, like the app's own entries: a launch then costs no TypeScript loader,
// which over ~150 launches is most of the matrix's time.
const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matrix-child-'));
const childBundle = path.join(bundleDir, 'matrix-child.js');
after(() => fs.rmSync(bundleDir, { recursive: true, force: true }));
before(async () => {
  await build({ entryPoints: [CHILD_SOURCE], outfile: childBundle, bundle: true, platform: 'node', target: 'node22', format: 'cjs', external: ['better-sqlite3', 'electron'], logLevel: 'warning' });
});

/** One launch that dies at its crash point, checked against what the case predicts. */
async function killAt(dir: string, c: MatrixCase, launch: Launch): Promise<SagaRow | null> {
  const marker = crypto.randomUUID();
  const args = launch.mode === 'run' ? [launch.mode, dir, c.saga.name, JSON.stringify(c.faults)] : [launch.mode, dir];
  const child = startProcess(process.execPath, [childBundle, ...args], {
    LAUNCHER_CRASH_AT: launch.crashAt,
    LAUNCHER_TEST_MARK: marker,
    MATRIX_PEERS_DIR: path.join(DIST_DIR, 'peers'),
    // The bundle lives outside the checkout; its one native dependency is found here.
    NODE_PATH: path.join(ROOT, 'node_modules'),
  });
  const { signal } = await child.exited;
  // 'exit' can come before the pipes are read to the end: the crash line may still be in flight.
  await Promise.all([finished(child.proc.stdout!), finished(child.proc.stderr!)]);
  const said = `(stdout: ${child.stdout()} stderr: ${child.stderr()})`;
  assert.equal(signal, 'SIGKILL', `main died by SIGKILL at ${launch.crashAt} ${said}`);
  assert.ok(child.stderr().includes(`crash point ${launch.crashAt} reached`), said);
  assert.deepEqual(await waitForNoneMarked(`LAUNCHER_TEST_MARK=${marker}`, 5000), [], 'no peer or session outlived main');
  const saga = readSaga(path.join(dir, LOG_FILE_NAME), c.saga.name);
  assert.equal(saga?.state ?? 'none', launch.state, `the saga's state at the kill at ${launch.crashAt}`);
  const pending = saga?.steps.filter((s) => s.state === 'pending').map((s) => s.stepIndex) ?? [];
  assert.deepEqual(pending, launch.inFlight === null ? [] : [launch.inFlight], `the row in flight at the kill at ${launch.crashAt}`);
  if (launch.mode === 'reconcile') assert.equal(saga?.steps[launch.inFlight!]?.reconciled, null, 'the peers answered; nothing of it was recorded');
  return saga;
}

interface Booted {
  app: SagaSubsystem;
  views: PanelViews;
  marker: string;
}

/** A launch as the app boots, with main's panel views in reach and host's sessions marked to be found. */
async function boot(dir: string): Promise<Booted> {
  const views = new PanelViews();
  const marker = `LAUNCHER_TEST_MARK=${crypto.randomUUID()}`;
  const app = await bootWorkspace({
    self: withFaults(selfHandlers(views), new FaultPlan(dir), 'self'),
    userDataDir: dir,
    retention: false,
    peerEnv: { LAUNCHER_TEST_MARK: marker.split('=')[1]! },
  });
  return { app, views, marker };
}

/** What reconciliation must answer for a row, from the peer's own store (and the case's prediction). */
function checkAnswer(dir: string, sagaId: number, row: SagaRow['steps'][number], answer: string | undefined, sent: boolean | null): void {
  const where = `step ${row.stepIndex} '${row.op}' on ${row.target}`;
  if (row.target !== 'host' && row.target !== 'srv') {
    assert.equal(answer, 'unknown', `${where}: main keeps no receipts`);
    return;
  }
  const receipts = receiptsFor(dir, row.target, sagaId, row.stepIndex);
  const applied = receipts.some((r) => r.outcome === 'succeeded');
  if (sent !== null) assert.equal(applied, sent, `${where}: the peer holds a receipt exactly when the step reached it (${JSON.stringify(receipts)})`);
  const atomic = row.target === 'srv' && (ATOMIC_OPS as readonly string[]).includes(row.op ?? '');
  assert.equal(answer, applied ? 'applied' : atomic ? 'not_applied' : 'unknown', `${where}: the recorded answer against the receipts ${JSON.stringify(receipts)}`);
  if (row.target !== 'srv') return;
  // The effect itself, as srv's store holds it, agrees with the receipt.
  const cmd = JSON.parse(row.cmdJson ?? '{}') as { workspaceId?: string };
  const ws = workspaces(dir);
  const target = ws.find((w) => w.workspaceId === cmd.workspaceId);
  if (row.op === 'create_workspace') assert.equal(ws.some((w) => w.name === WORKSPACE_NAME), applied, `${where}: the workspace exists exactly when applied`);
  if (row.op === 'delete_workspace') assert.equal(target === undefined, applied, `${where}: the workspace is gone exactly when applied`);
  if (row.op === 'publish_workspace') assert.equal((target?.publications ?? 0) > 0, applied, `${where}: published exactly when applied`);
  if (row.op === 'archive_workspace') assert.equal(target?.state === 'archived', applied, `${where}: archived exactly when applied`);
}

/** Nothing the saga made is left behind, as srv's store, host's processes and main's views hold it. */
function checkWorld(c: MatrixCase, finalState: string, b: Booted, dir: string): void {
  const ws = workspaces(dir).filter((w) => w.name === WORKSPACE_NAME);
  const sessions = liveSessions(b.marker);
  const views = b.views.list();
  const seen = `workspaces ${JSON.stringify(ws)}, sessions ${sessions.length}, views ${JSON.stringify(views)}`;
  if (c.saga.name === 'close_workspace') {
    // The open before it completed; the close either completed, never started, or was undone.
    assert.equal(ws.length, 1, seen);
    const w = ws[0]!;
    assert.equal(w.state, finalState === 'completed' ? 'archived' : 'active', `the close was ${finalState === 'completed' ? 'completed' : 'undone'}: ${seen}`);
    // Whatever the undos put back belongs to that open workspace, at most once each.
    assert.ok(sessions.length <= 1 && views.length <= 1 && views.every((v) => v.workspaceId === w.workspaceId), seen);
    if (w.state === 'archived') assert.deepEqual([sessions.length, views.length], [0, 0], `nothing is left for an archived workspace: ${seen}`);
    return;
  }
  if (finalState === 'completed') {
    assert.ok(c.saga.name !== 'open_workspace' || (ws.length === 1 && ws[0]!.state === 'active' && ws[0]!.publications === 1), seen);
  } else {
    assert.equal(ws.length, 0, `no workspace left behind: ${seen}`);
  }
  assert.equal(sessions.length, 0, `no session left behind: ${seen}`);
  assert.equal(views.length, 0, `no panel view left behind: ${seen}`);
}

async function runCase(c: MatrixCase): Promise<void> {
  const dir = tempDir('matrix-');
  const file = path.join(dir, LOG_FILE_NAME);
  let atKill: SagaRow | null = null;
  for (const launch of c.kills) atKill = await killAt(dir, c, launch);
  const lastKill = c.kills[c.kills.length - 1]!;

  const first = await boot(dir);
  let finalState: string;
  try {
    const { app } = first;
    const interrupted = lastKill.state === 'running' || lastKill.state === 'compensating';
    assert.deepEqual(app.recovery.marked.map((m) => m.sagaId), interrupted ? [atKill!.sagaId] : [], 'recovery marked exactly the interrupted saga');
    if (interrupted) assert.equal(app.recovery.marked[0]?.inFlightStep?.stepIndex ?? null, lastKill.inFlight);
    await app.reconciliation;
    const saga = atKill && app.log.saga(atKill.sagaId);
    finalState = saga?.state ?? 'none';
    if (saga && saga.state === 'failed_compensation') {
      const rows = readSaga(file, c.saga.name)!;
      for (const row of rows.steps.filter((s) => s.state === 'pending')) {
        const answer = saga.steps.find((s) => s.stepIndex === row.stepIndex)?.reconciliation?.answer;
        checkAnswer(dir, saga.sagaId, row, answer, row.stepIndex === lastKill.inFlight ? lastKill.sent : null);
      }
      const proof = provenByLog(saga.steps, saga.plannedSteps);
      if (proof?.outcome === 'completed') {
        // Every step is done (the last by its peer's receipt): nothing may be undone past a final step.
        await assert.rejects(compensateAsOperator(app, saga.sagaId, 'matrix: undo it'), (err: unknown) => err instanceof OperatorActionError && err.code === 'final_applied');
        assert.match(saga.failureReason ?? '', /it can be resolved as completed/, 'the reason says what the log and receipts prove');
        finalState = app.resolve(saga.sagaId, { note: 'matrix: the receipts prove it', operator: 'matrix' }).state;
        assert.deepEqual(app.log.saga(saga.sagaId)!.steps.map((s) => s.state).filter((s) => s !== 'succeeded'), [], 'resolved: the applied step is recorded done');
      } else {
        const outcome = await compensateAsOperator(app, saga.sagaId, 'matrix: checked the targets');
        assert.equal(outcome.state, 'failed', `everything was undone: ${outcome.failureReason}`);
        finalState = outcome.state;
      }
    } else {
      assert.ok(finalState === 'none' || finalState === 'completed', `left as ${finalState}`);
    }
    checkWorld(c, finalState, first, dir);
  } finally {
    await first.app.shutdown();
  }
  const log = dumpSagaRecords(file);
  const stores = dumpPeerStores(dir);

  const again = await boot(dir);
  try {
    assert.deepEqual(again.app.recovery.marked, [], 'nothing is left for the next launch to mark');
    const report = await again.app.reconciliation;
    assert.equal(report.recorded, 0, 'nothing new is recorded');
  } finally {
    await again.app.shutdown();
  }
  assert.equal(dumpSagaRecords(file), log, "a third launch changes none of the log's rows");
  assert.equal(dumpPeerStores(dir), stores, "nor any row of the peers' stores");
}

describe('the crash-point matrix', { concurrency: 4 }, () => {
  test('covers every registered saga, step and crash point', () => {
    const names = new Set(CASES.map((c) => c.name));
    for (const def of WORKSPACE_SAGAS) {
      def.steps.forEach((step, i) => {
        for (const point of ['before_pending', 'after_pending', 'after_dispatch', 'after_outcome', 'reconcile_answered']) assert.ok(names.has(`${def.name}:${i}:${point}`));
        if (step.kind === 'compensatable' && i < def.steps.length - 1) {
          for (const point of ['during_compensation', 'compensate_now_undo_pending', 'compensate_now_undo_outcome']) assert.ok(names.has(`${def.name}:${i}:${point}`));
        }
      });
    }
  });
  for (const c of CASES) test(c.name, () => runCase(c));
});
