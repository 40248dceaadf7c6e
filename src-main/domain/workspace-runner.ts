// What the launcher's buttons do: open a workspace by name, or close one this launch opened.
// Closing needs the ids opening produced, so successful opens are remembered by name.
import type { RunSagaResponse } from '../../src-shared/launcher-contract';
import { CreateWorkspaceOutput, RegisterPanelViewOutput, StartSessionOutput } from './domain-commands';
import { CLOSE_STEPS, OPEN_STEPS, closeWorkspace, openWorkspace } from './workspace-sagas';
import type { SagaOutcome } from '../saga/coordinator';
import type { SagaDefinition } from '../saga/define-saga';
import { LauncherRefusal, type RunLauncherSaga } from '../ipc/launcher-handler';

export type RunSaga = (definition: SagaDefinition<unknown>, input: unknown) => Promise<SagaOutcome>;

interface OpenedWorkspace {
  workspaceId: string;
  sessionId: string;
  viewId: string;
}

function lastStep(steps: readonly string[]): string {
  const step = steps[steps.length - 1];
  if (step === undefined) throw new Error('a saga without steps');
  return step;
}

function response(outcome: SagaOutcome): RunSagaResponse {
  return { sagaId: outcome.sagaId, state: outcome.state, failureReason: outcome.failureReason?.slice(0, 2048) ?? null };
}

export function createWorkspaceRunner(run: RunSaga, owner: string): RunLauncherSaga {
  const opened = new Map<string, OpenedWorkspace>();
  return async ({ saga, workspace, failLastStep }) => {
    if (saga === 'open_workspace') {
      const input = {
        name: workspace,
        owner,
        ...(failLastStep && { faults: { [lastStep(OPEN_STEPS)]: 'error' } }),
      };
      const outcome = await run(openWorkspace as SagaDefinition<unknown>, input);
      if (outcome.state === 'completed') {
        opened.set(workspace, {
          workspaceId: CreateWorkspaceOutput.parse(outcome.outputs[0]).workspaceId,
          sessionId: StartSessionOutput.parse(outcome.outputs[1]).sessionId,
          viewId: RegisterPanelViewOutput.parse(outcome.outputs[2]).viewId,
        });
      }
      return response(outcome);
    }
    const ids = opened.get(workspace);
    if (!ids) throw new LauncherRefusal('not_found', `No workspace named ${workspace} was opened in this launch.`);
    const input = { ...ids, ...(failLastStep && { faults: { [lastStep(CLOSE_STEPS)]: 'error' } }) };
    const outcome = await run(closeWorkspace as SagaDefinition<unknown>, input);
    if (outcome.state === 'completed') opened.delete(workspace);
    return response(outcome);
  };
}
