// The subsystem's public entry: everything an app uses to embed it under Node (its Electron
// main process uses `launcher-saga/electron` for what needs Electron). Nothing here loads
// 'electron', so a plain Node process (tests, the headless host, peers) can import it.

// Defining sagas and handlers
export { defineSaga, SagaDefinitionError } from './saga/define-saga';
export type { SagaDefinition, SagaSpec, StepDefinition, StepContext } from './saga/define-saga';
export { defineHandler, Command } from './saga/command';
export type { CommandHandler, HandlerContext, ReceiptDraft } from './saga/command';
export type { HandlersOption } from './saga/self-handlers';
export type { StepFailure } from './saga/step-failure';

// Running the subsystem
export { startSagaSubsystem, DEFAULT_SHUTDOWN_GRACE_MS } from './boot/subsystem';
export type { SagaSubsystem, SubsystemOptions, BootPhase, CompensateNowRequest, OperatorNoteRequest } from './boot/subsystem';
export { OperatorActionError, OperatorRefusal } from './saga/operator-errors';
export type { CompensateNowOutcome } from './saga/coordinator';
export type { InFlightOutcomes } from './saga/compensate-plan';
export type { ResolveOutcome, ReviewRecoveryOutcome } from './saga/operator-actions';
export { provenByLog } from './saga/log-proof';
export type { LogProof } from './saga/log-proof';
export { SubsystemOptionsError } from './boot/options';
export { SagaInputError, SagaRefusedError } from './saga/coordinator';
export type { SagaOutcome, StartedSaga, RunOptions } from './saga/coordinator';
export type { SagaChange } from './saga/saga-events';
export { SagaLogError } from './saga/log/errors';
export { LOG_FILE_NAME } from './saga/log/saga-log';
export { CRASH_ENV, CrashPointName } from './saga/crash-points';
export { operatorName } from './boot/operator-name';

// Peers: what an app's own peer entry files call
export { runPeer } from './peers/peer-runtime';
export type { RunPeerOptions, PeerSetup, PeerHandlers } from './peers/peer-runtime';
export { ReceiptTable } from './peers/receipt-store';
export type { Receipt, ReceiptStore } from './peers/receipt-store';
export type { ReconciliationReport } from './saga/reconciliation';
export type { PeerContext, PeerProcessKind } from './peers/peer-env';

// The panel and the launcher page
export { servePanelHeadless } from './headless/serve-panel';
export type { ServePanelOptions } from './headless/serve-panel';
export type { PanelServer } from './headless/panel-server';
export { LauncherRefusal } from './ipc/launcher-handler';
export type { RunLauncherSaga } from './ipc/launcher-handler';
export type { SagaApp, AppProfile } from './ipc/saga-app';

// The command line an app ships (diag, headless, and its own commands)
export { runCommandLine, runCli, DIAG_USAGE, HEADLESS_USAGE } from './cli/run-cli';
export type { CliSpec, CliCommand } from './cli/run-cli';
export { runDiag } from './cli/diag';
export { headlessCommand } from './cli/headless';
export { compensateCommand, COMPENSATE_USAGE } from './cli/compensate';
export { parseCommandArgs, intOption } from './cli/args';
export { UsageError } from './cli/usage-error';
export { runMany } from './saga/run-many';

// The shared vocabulary
export type {
  FailureKind,
  InFlightOutcome,
  OperatorAction,
  ProvenOutcome,
  ReconciledAnswer,
  Reconciliation,
  RecoveryReport,
  RecoveredSaga,
  SagaState,
  SagaSummary,
  SagaDetail,
  StepRecord,
  Target,
  StepKind,
} from '../src-shared/saga-model';
export type { RunSagaResponse, LauncherSaga } from '../src-shared/launcher-contract';

// For an app's own child processes (a peer's sessions): not outliving the process that started them
export { watchParent, parentIsAlive, parentPidFromEnv, PARENT_PID_ENV } from './peers/parent-watch';
