import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LauncherRefusal } from '../../src-main/electron/launcher-handler';
import { createWorkspaceRunner } from '../../src-main/electron/workspace-runner';
import type { SagaOutcome } from '../../src-main/saga/coordinator';

function outcome(name: string, state: SagaOutcome['state'], outputs: unknown[] = []): SagaOutcome {
  return { sagaId: 9, name, state, outputs, failureReason: state === 'completed' ? null : 'step failed', failedStep: null, compensated: [], leftForRecovery: null };
}

describe('launcher workspace runner', () => {
  test('opens with the owner, then closes with the ids the open produced', async () => {
    const calls: { saga: string; input: unknown }[] = [];
    const runner = createWorkspaceRunner(async (def, input) => {
      calls.push({ saga: def.name, input });
      return def.name === 'open_workspace'
        ? outcome(def.name, 'completed', [{ workspaceId: 'ws-1' }, { sessionId: 's-1', pid: 42 }, { viewId: 'v-1' }])
        : outcome(def.name, 'completed');
    }, 'alice');
    assert.deepEqual(await runner({ saga: 'open_workspace', workspace: 'alpha', failLastStep: false }), {
      sagaId: 9,
      state: 'completed',
      failureReason: null,
    });
    await runner({ saga: 'close_workspace', workspace: 'alpha', failLastStep: false });
    assert.deepEqual(calls, [
      { saga: 'open_workspace', input: { name: 'alpha', owner: 'alice' } },
      { saga: 'close_workspace', input: { workspaceId: 'ws-1', sessionId: 's-1', viewId: 'v-1' } },
    ]);
    // Closed: a second close has nothing to close.
    await assert.rejects(runner({ saga: 'close_workspace', workspace: 'alpha', failLastStep: false }), LauncherRefusal);
  });

  test('failLastStep faults the last step; a failed open is not remembered', async () => {
    const inputs: unknown[] = [];
    const runner = createWorkspaceRunner(async (def, input) => {
      inputs.push(input);
      return outcome(def.name, 'failed');
    }, 'bob');
    const res = await runner({ saga: 'open_workspace', workspace: 'beta', failLastStep: true });
    assert.equal(res.state, 'failed');
    assert.deepEqual(inputs, [{ name: 'beta', owner: 'bob', faults: { publish_workspace: 'error' } }]);
    await assert.rejects(
      runner({ saga: 'close_workspace', workspace: 'beta', failLastStep: false }),
      (err: unknown) => err instanceof LauncherRefusal && err.code === 'not_found',
    );
  });
});
