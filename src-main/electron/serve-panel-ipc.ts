// The panel served over Electron IPC from the app's main process: the saga handlers over the
// subsystem's log and events (and the app's launcher page, if any) behind the sender check.
// ipcMain and the windows are parameters, so this module needs Electron's types only.
import type { IpcMain, WebContents } from 'electron';
import type { SagaSubsystem } from '../boot/subsystem';
import { operatorName } from '../boot/operator-name';
import { type RunLauncherSaga, createLauncherHandler } from '../ipc/launcher-handler';
import { sagaHandlersFor } from '../ipc/saga-handlers';
import { registerIpc } from './ipc-bridge';

export interface ServePanelOverIpcOptions {
  ipcMain: IpcMain;
  /** The webContents ids of the app's own windows: messages from any other sender are refused. */
  knownWebContentsIds: () => ReadonlySet<number>;
  /** Where live updates go (the panel windows). */
  pushTargets: () => WebContents[];
  launcher?: RunLauncherSaga;
  /** Recorded as reviewedBy; the OS user by default. */
  reviewer?: string;
  onRefused?: (channel: string, reason: string) => void;
}

/** Registers the panel's (and launcher's) channels; returns the function that removes them. */
export function servePanelOverIpc(subsystem: SagaSubsystem, options: ServePanelOverIpcOptions): () => void {
  const sagaHandlers = sagaHandlersFor(subsystem, options.reviewer ?? operatorName());
  const launcherHandler = createLauncherHandler(
    options.launcher ??
      (async () => {
        throw new Error('this app has no launcher page');
      }),
  );
  return registerIpc({
    ipcMain: options.ipcMain,
    sagaHandlers,
    launcherHandler,
    knownWebContentsIds: options.knownWebContentsIds,
    pushTargets: options.pushTargets,
    ...(options.onRefused && { onRefused: options.onRefused }),
  });
}
