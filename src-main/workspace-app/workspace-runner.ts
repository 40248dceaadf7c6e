// What the launcher's buttons do: open a workspace by name, or close one this launch opened.
// Closing needs the ids opening produced, so successful opens are remembered by name.
// "Fail the last step" is the demo's fault plan on the saga's final op, never a field of its input.
import { LauncherRefusal, type RunLauncherSaga, type RunSagaResponse, type SagaOutcome, type SagaSubsystem } from '../index';
import { CreateWorkspaceOutput, RegisterPanelViewOutput, StartSessionOutput } from './domain-commands';
import type { FaultPlan, SagaFaults } from './fault-plan';
import { runWithFaults } from './run-with-faults';
import { closeWorkspace, openWorkspace } from './workspace-sagas';

interface OpenedWorkspace {
  workspaceId: string;
  sessionId: string;
  viewId: string;
}

function response(outcome: SagaOutcome): RunSagaResponse {
  return { sagaId: outcome.sagaId, state: outcome.state, failureReason: outcome.failureReason?.slice(0, 2048) ?? null };
}

export function createWorkspaceRunner(subsystem: Pick<SagaSubsystem, 'start'>, plan: FaultPlan, owner: string): RunLauncherSaga {
  const opened = new Map<string, OpenedWorkspace>();
  return async ({ saga, workspace, failLastStep }) => {
    if (saga === 'open_workspace') {
      const faults: SagaFaults = failLastStep ? { publish_workspace: 'error' } : {};
      const outcome = await runWithFaults(subsystem, plan, openWorkspace, { name: workspace, owner }, faults);
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
    const faults: SagaFaults = failLastStep ? { archive_workspace: 'error' } : {};
    const outcome = await runWithFaults(subsystem, plan, closeWorkspace, ids, faults);
    if (outcome.state === 'completed') opened.delete(workspace);
    return response(outcome);
  };
}
