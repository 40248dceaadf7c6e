// Registers the panel's and the launcher's channels on ipcMain. Every message passes the
// sender check first (top-level frame, app origin, one of our windows); the handlers
// behind it validate the payload and never throw.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { CHANNEL_NAMES, PUSH_CHANNEL } from '../../src-shared/ipc-contract';
import { LAUNCHER_CHANNEL_NAMES } from '../../src-shared/launcher-contract';
import type { SagaHandlers } from '../ipc/saga-handlers';
import type { LauncherHandler } from '../ipc/launcher-handler';
import { checkSender, senderInfoOf } from './sender-check';

export interface IpcBridgeOptions {
  ipcMain: IpcMain;
  sagaHandlers: SagaHandlers;
  launcherHandler: LauncherHandler;
  knownWebContentsIds: () => ReadonlySet<number>;
  pushTargets: () => WebContents[];
  onRefused?: (channel: string, reason: string) => void;
}

/** Returns a function that removes the handlers and the push subscription. */
export function registerIpc(options: IpcBridgeOptions): () => void {
  const { ipcMain } = options;
  const trustOf = (channel: string, event: IpcMainInvokeEvent): { trusted: boolean } => {
    const verdict = checkSender(senderInfoOf(event), options.knownWebContentsIds());
    if (!verdict.ok) options.onRefused?.(channel, verdict.reason);
    return { trusted: verdict.ok };
  };
  // Only the first argument is the request: extra arguments are ignored, never spread into a handler.
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(channel, (event, request: unknown) =>
      options.sagaHandlers.handle(channel, request, trustOf(channel, event)),
    );
  }
  for (const channel of LAUNCHER_CHANNEL_NAMES) {
    ipcMain.handle(channel, (event, request: unknown) =>
      options.launcherHandler.handle(channel, request, trustOf(channel, event)),
    );
  }
  const unsubscribe = options.sagaHandlers.subscribe((change) => {
    for (const contents of options.pushTargets()) {
      if (!contents.isDestroyed()) contents.send(PUSH_CHANNEL, change);
    }
  });
  return () => {
    unsubscribe();
    for (const channel of [...CHANNEL_NAMES, ...LAUNCHER_CHANNEL_NAMES]) ipcMain.removeHandler(channel);
  };
}
