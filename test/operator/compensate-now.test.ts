// "Compensate now" and "resolve" after real crashes: main is SIGKILLed mid open_workspace with
// real host and srv peers, the profile is booted again, and the operator's action is checked
// against srv's own store and the log. Each refusal writes nothing.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { LOG_FILE_NAME, OperatorActionError, type SagaSubsystem } from '../../src-main/index';
import { bootWorkspace } from '../helpers/workspace-boot';
import { dumpSagaRecords } from '../recovery/log-fixtures';
import { crashedOpen, workspacesIn } from './crashed-open';

async function refused(action: Promise<unknown> | (() => unknown), code: string, file: string): Promise<void> {
  const before = dumpSagaRecords(file);
  await assert.rejects(async () => (typeof action === 'function' ? action() : action), (err: unknown) => {
    assert.ok(err instanceof OperatorActionError, `an OperatorActionError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  });
  assert.equal(dumpSagaRecords(file), before, `refused with ${code}, nothing written`);
}

async function withBoot<T>(dir: string, fn: (app: SagaSubsystem) => Promise<T>): Promise<T> {
  const app = await bootWorkspace({ userDataDir: dir, retention: false });
  try {
    // Reconciliation writes its answers in the background: let it finish so "nothing written" is the action's own.
    await app.reconciliation;
    return await fn(app);
  } finally {
    await app.shutdown();
  }
}

/** A third launch finds nothing to recover, and once its reconciliation (if any) is done, the log is byte for byte as it was. */
async function thirdLaunchChangesNothing(dir: string): Promise<void> {
  const file = path.join(dir, LOG_FILE_NAME);
  const settled = dumpSagaRecords(file);
  await withBoot(dir, async (app) => {
    assert.deepEqual(app.recovery.marked, []);
    await app.reconciliation;
  });
  assert.equal(dumpSagaRecords(file), settled, 'a third launch changes nothing');
}

describe('compensate now after a crash', { concurrency: 2 }, () => {
  test('an interrupted open_workspace: refused while the in-flight step is unknown, then undone when confirmed', async () => {
    const dir = await crashedOpen('open_workspace:2:after_pending');
    const file = path.join(dir, LOG_FILE_NAME);
    assert.equal(workspacesIn(dir), 1, "the crash left the workspace in srv's store");
    await withBoot(dir, async (app) => {
      const [marked] = app.recovery.marked;
      assert.ok(marked);
      assert.equal(marked.provenOutcome, undefined, 'a step in flight: the log proves nothing');
      await refused(app.compensate(marked.sagaId, { note: 'checked' }), 'unknown_outcome', file);
      await refused(() => app.resolve(marked.sagaId, { note: 'checked' }), 'not_proven', file);
      const out = await app.compensate(marked.sagaId, { note: 'view 2 never registered: main died', confirmUnknown: true, operator: 'ops-ada' });
      assert.equal(out.state, 'failed');
      assert.deepEqual(out.compensated, [1, 0]);
      assert.deepEqual(out.confirmedUnknown, [2]);
      assert.equal(workspacesIn(dir), 0, "no workspace left in srv's store");
      const saga = app.log.saga(marked.sagaId)!;
      assert.equal(saga.state, 'failed');
      assert.match(saga.failureReason ?? '', /then: compensate now by ops-ada \(view 2 never registered: main died\): undid steps 1, 0/);
      assert.deepEqual(
        saga.steps.map((s) => `${s.stepIndex} ${s.state}${s.compensatesIndex === null ? '' : ` undoes ${s.compensatesIndex}`}`),
        ['0 compensated', '1 compensated', '2 pending', '3 succeeded undoes 1', '4 succeeded undoes 0'],
      );
      assert.deepEqual(
        app.log.operatorActions(marked.sagaId).map((a) => [a.action, a.doneBy, a.note, a.outcome]),
        [['compensate', 'ops-ada', 'view 2 never registered: main died', 'failed']],
      );
      await refused(app.compensate(marked.sagaId, { note: 'again' }), 'wrong_state', file);
    });
    await thirdLaunchChangesNothing(dir);
  });

  test("an in-flight step its peer's receipt shows applied is undone with the output the receipt held, no confirmation needed", async () => {
    // host replied to start_session (its receipt is written just after the effect), then main died before recording it.
    const dir = await crashedOpen('open_workspace:1:after_dispatch');
    await withBoot(dir, async (app) => {
      const [marked] = app.recovery.marked;
      assert.ok(marked);
      await app.reconciliation;
      const inFlight = app.log.saga(marked.sagaId)!.steps[1]!;
      assert.equal(inFlight.state, 'pending', 'reconciliation records, it never finishes a step');
      assert.equal(inFlight.reconciliation?.answer, 'applied');
      const sessionId = (JSON.parse(inFlight.outputJson ?? 'null') as { sessionId?: string } | null)?.sessionId;
      assert.match(sessionId ?? '', /^session-/, "the receipt's output is kept on the row");
      const out = await app.compensate(marked.sagaId, { note: 'host confirmed the session', operator: 'ops-ada' });
      assert.equal(out.state, 'failed');
      assert.deepEqual(out.compensated, [1, 0]);
      assert.deepEqual(out.confirmedUnknown, []);
      assert.equal(workspacesIn(dir), 0, "no workspace left in srv's store");
      const saga = app.log.saga(marked.sagaId)!;
      const undo = saga.steps.find((s) => s.compensatesIndex === 1)!;
      assert.equal(undo.state, 'succeeded');
      assert.equal((JSON.parse(undo.cmdJson ?? '{}') as { sessionId?: string }).sessionId, sessionId, 'the undo stopped the session the receipt named');
      assert.equal(saga.steps[1]!.state, 'compensated');
    });
    await thirdLaunchChangesNothing(dir);
  });

  test('the log proves the saga completed: recovery says so and resolve ends it completed', async () => {
    // One commit per step writes the last outcome with `completed`, so no crash point leaves this:
    // kill after the last reply, then write that outcome by hand, as an older build's crash would leave it.
    const dir = await crashedOpen('open_workspace:3:after_dispatch');
    const db = new Database(path.join(dir, LOG_FILE_NAME));
    db.prepare(`UPDATE launcher_saga_step SET state = 'succeeded', ended_at = started_at WHERE step_index = 3`).run();
    db.close();
    await withBoot(dir, async (app) => {
      const [marked] = app.recovery.marked;
      assert.ok(marked);
      assert.equal(marked.provenOutcome, 'completed');
      assert.match(marked.reason, /the log shows all 4 steps succeeded and only the write that ends the saga was lost: nothing needs undoing/);
      const out = app.resolve(marked.sagaId, { note: 'published, fine', operator: 'ops-bo' });
      assert.equal(out.state, 'completed');
      assert.equal(app.log.saga(marked.sagaId)?.state, 'completed');
      assert.equal(workspacesIn(dir), 1, 'resolving sends nothing');
      assert.deepEqual(app.log.operatorActions(marked.sagaId).map((a) => [a.action, a.doneBy, a.outcome]), [['resolve', 'ops-bo', 'completed']]);
    });
  });

  test('the log proves every undo succeeded: resolve ends it failed', async () => {
    const dir = await crashedOpen('open_workspace:0:during_compensation', { start_session: 'error' });
    const file = path.join(dir, LOG_FILE_NAME);
    // Finish what the crash interrupted by hand in the file: the undo's outcome, as if only the terminal write was lost.
    const db = new Database(file);
    db.prepare(`UPDATE launcher_saga_step SET state = 'succeeded', ended_at = started_at WHERE compensates_index = 0`).run();
    db.prepare(`UPDATE launcher_saga_step SET state = 'compensated' WHERE step_index = 0`).run();
    db.close();
    await withBoot(dir, async (app) => {
      const [marked] = app.recovery.marked;
      assert.equal(marked?.provenOutcome, 'failed');
      assert.match(marked?.reason ?? '', /its one undo succeeded, and only the write that ends the saga was lost/);
      assert.equal(app.resolve(marked!.sagaId, { note: 'undone' }).state, 'failed');
    });
  });

  test('refusals: no such saga, a finished saga, one being compensated, a bad note, a read-only log', async () => {
    const dir = await crashedOpen('open_workspace:1:after_outcome');
    const file = path.join(dir, LOG_FILE_NAME);
    await withBoot(dir, async (app) => {
      const [marked] = app.recovery.marked;
      assert.ok(marked);
      await refused(app.compensate(999, { note: 'x' }), 'not_found', file);
      const done = await app.run('open_workspace', { name: 'other', owner: 'ada' });
      assert.equal(done.state, 'completed');
      await refused(app.compensate(done.sagaId, { note: 'x' }), 'wrong_state', file);
      await assert.rejects(app.compensate(marked.sagaId, { note: '   ' }), /needs a note/);
      // Step 2 is in flight (after step 1's outcome comes step 2's pending row, in one commit): it
      // needs the operator's confirmation. A second call while the first runs is refused.
      await refused(app.compensate(marked.sagaId, { note: 'undo it' }), 'unknown_outcome', file);
      const first = app.compensate(marked.sagaId, { note: 'undo it', confirmUnknown: true });
      // (The first call writes meanwhile, so "nothing written" is checked by the rows afterwards.)
      await assert.rejects(app.compensate(marked.sagaId, { note: 'me too', confirmUnknown: true }), (err: unknown) => err instanceof OperatorActionError && err.code === 'being_compensated');
      const out = await first;
      assert.equal(out.state, 'failed');
      assert.deepEqual(out.compensated, [1, 0]);
      assert.equal(app.log.saga(marked.sagaId)?.steps.length, 5, 'three forward rows and one undo per succeeded step: the refused calls appended nothing');
      assert.equal(app.log.operatorActions(marked.sagaId).length, 1);
    });
    assert.equal(workspacesIn(dir), 1, "only the completed saga's workspace is left");

    const other = await crashedOpen('open_workspace:1:after_outcome');
    const db = new Database(path.join(other, LOG_FILE_NAME));
    db.pragma('user_version = 99');
    db.close();
    await withBoot(other, async (app) => {
      assert.ok(app.readOnlyReason);
      const sagaId = app.log.recent({ limit: 1 })[0]!.sagaId;
      await refused(app.compensate(sagaId, { note: 'x', confirmUnknown: true }), 'read_only', path.join(other, LOG_FILE_NAME));
    });
  });
});
