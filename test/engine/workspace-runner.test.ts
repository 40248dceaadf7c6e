// The launcher's buttons through a real coordinator on a real log file, with real host and srv
// processes forked from dist/ (build first): what the runner sends is read back from the log.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LauncherRefusal } from '../../src-main/index';
import { createWorkspaceRunner } from '../../src-main/workspace-app/workspace-runner';
import { type TestEngine, rows, startTestEngine } from './helpers';

describe('launcher workspace runner', () => {
  let e: TestEngine;
  before(async () => {
    e = await startTestEngine();
  });
  after(async () => {
    await e.close();
  });
  const run = () => createWorkspaceRunner(e, e.faults, 'alice');
  const sagaInput = (sagaId: number | null) => JSON.parse(e.log.saga(sagaId!)!.inputJson) as Record<string, unknown>;

  test('opens with the owner, then closes with the ids the open produced', async () => {
    const runner = run();
    const opened = await runner({ saga: 'open_workspace', workspace: 'alpha', failLastStep: false });
    assert.deepEqual(opened, { sagaId: opened.sagaId, state: 'completed', failureReason: null });
    assert.deepEqual(sagaInput(opened.sagaId), { name: 'alpha', owner: 'alice' });
    const ids = e.log.saga(opened.sagaId!)!.steps.map((s) => JSON.parse(s.outputJson ?? 'null') as Record<string, unknown>);

    const closed = await runner({ saga: 'close_workspace', workspace: 'alpha', failLastStep: false });
    assert.equal(closed.state, 'completed', closed.failureReason ?? '');
    assert.deepEqual(sagaInput(closed.sagaId), {
      workspaceId: ids[0]!.workspaceId,
      sessionId: ids[1]!.sessionId,
      viewId: ids[2]!.viewId,
    });
    // Closed: a second close has nothing to close, and nothing is written for it.
    const before = e.log.maxSagaId();
    await assert.rejects(
      runner({ saga: 'close_workspace', workspace: 'alpha', failLastStep: false }),
      (err: unknown) => err instanceof LauncherRefusal && err.code === 'not_found',
    );
    assert.equal(e.log.maxSagaId(), before);
  });

  test('failLastStep faults the last step through the fault plan, never the input; the rest is undone; a failed open is not remembered', async () => {
    const runner = run();
    const res = await runner({ saga: 'open_workspace', workspace: 'beta', failLastStep: true });
    assert.equal(res.state, 'failed');
    assert.match(res.failureReason ?? '', /publish_workspace/);
    assert.deepEqual(sagaInput(res.sagaId), { name: 'beta', owner: 'alice' });
    assert.match(res.failureReason ?? '', /injected failure of 'publish_workspace'/);
    assert.deepEqual(rows(e.log, res.sagaId!), [
      '0 create_workspace compensated',
      '1 start_session compensated',
      '2 register_panel_view compensated',
      '3 publish_workspace failed',
      '4 undo register_panel_view succeeded undoes 2',
      '5 undo start_session succeeded undoes 1',
      '6 undo create_workspace succeeded undoes 0',
    ]);
    await assert.rejects(
      runner({ saga: 'close_workspace', workspace: 'beta', failLastStep: false }),
      (err: unknown) => err instanceof LauncherRefusal && err.code === 'not_found',
    );
  });
});
