// What every launch of the crash-point matrix does the same way: run a saga of the workspace app
// (with the demo's fault plan), and "compensate now" as an operator would after reading
// reconciliation's answers.
import type { CompensateNowOutcome, SagaOutcome, SagaSubsystem } from '../../../src-main/index';
import type { FaultPlan, SagaFaults } from '../../../src-main/workspace-app/fault-plan';
import { runWithFaults } from '../../../src-main/workspace-app/run-with-faults';
import { CreateWorkspaceOutput, RegisterPanelViewOutput, StartSessionOutput } from '../../../src-main/workspace-app/domain-commands';
import { closeWorkspace, openWorkspace } from '../../../src-main/workspace-app/workspace-sagas';
import type { InFlightOutcome } from '../../../src-shared/saga-model';

export const WORKSPACE_NAME = 'ws';
export const OPEN_INPUT = { name: WORKSPACE_NAME, owner: 'ada', accessToken: 'secret-token' };

/**
 * Runs saga `name` with `faults`. close_workspace first opens the workspace it closes (that
 * open completes: the crash spec names close_workspace only).
 */
export async function runMatrixSaga(app: SagaSubsystem, plan: FaultPlan, name: string, faults: SagaFaults): Promise<SagaOutcome> {
  if (name === openWorkspace.name) return runWithFaults(app, plan, openWorkspace, OPEN_INPUT, faults);
  if (name === closeWorkspace.name) {
    const opened = await app.run(openWorkspace, OPEN_INPUT);
    if (opened.state !== 'completed') throw new Error(`the open before the close ended ${opened.state}: ${opened.failureReason}`);
    const input = {
      workspaceId: CreateWorkspaceOutput.parse(opened.outputs[0]).workspaceId,
      sessionId: StartSessionOutput.parse(opened.outputs[1]).sessionId,
      viewId: RegisterPanelViewOutput.parse(opened.outputs[2]).viewId,
    };
    return runWithFaults(app, plan, closeWorkspace, input, faults);
  }
  const def = app.sagas.get(name);
  if (!def) throw new Error(`the app registers no saga '${name}'`);
  return runWithFaults(app, plan, def, {}, faults);
}

/** Reconciliation's recorded answer for each step left in flight (`unknown` where none is recorded). */
export function inFlightAnswers(app: SagaSubsystem, sagaId: number): Map<number, InFlightOutcome> {
  const saga = app.log.saga(sagaId);
  if (!saga) throw new Error(`no saga ${sagaId}`);
  return new Map(saga.steps.filter((s) => s.state === 'pending').map((s) => [s.stepIndex, s.reconciliation?.answer ?? 'unknown']));
}

/**
 * "Compensate now" as an operator does it after reading reconciliation's answers (which it
 * follows by default): they confirm by hand only when an in-flight step's outcome stays unknown.
 */
export function compensateAsOperator(app: SagaSubsystem, sagaId: number, note: string): Promise<CompensateNowOutcome> {
  const answers = inFlightAnswers(app, sagaId);
  return app.compensate(sagaId, { note, operator: 'matrix', confirmUnknown: [...answers.values()].includes('unknown') });
}
