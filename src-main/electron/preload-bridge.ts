// What the preload builds from ipcRenderer: the panel API and the launcher API, nothing more.
// Kept apart from preload.ts (which only wires Electron) so the wrapping is tested under Node.
import { type SagaPanelApi, PUSH_CHANNEL, createPanelApi, isChannel } from '../../src-shared/ipc-contract';
import { type SagaLauncherApi, createLauncherApi, isLauncherChannel } from '../../src-shared/launcher-contract';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

/** The three ipcRenderer methods the bridge uses; ipcRenderer itself satisfies it. */
export interface RendererIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: IpcListener): unknown;
  removeListener(channel: string, listener: IpcListener): unknown;
}

export function panelApiOver(ipc: RendererIpc): SagaPanelApi {
  return createPanelApi(
    (channel, request) => {
      // The contract's types already restrict this; the check holds even against a cast.
      if (!isChannel(channel)) return Promise.reject(new Error('not a saga panel channel'));
      return ipc.invoke(channel, request);
    },
    (listener) => {
      // The renderer gets the payload only: the IpcRendererEvent (with its sender and ports)
      // never crosses the bridge.
      const wrapped: IpcListener = (_event, payload) => listener(payload);
      ipc.on(PUSH_CHANNEL, wrapped);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ipc.removeListener(PUSH_CHANNEL, wrapped);
      };
    },
  );
}

export function launcherApiOver(ipc: RendererIpc): SagaLauncherApi {
  return createLauncherApi((channel, request) => {
    if (!isLauncherChannel(channel)) return Promise.reject(new Error('not a launcher channel'));
    return ipc.invoke(channel, request);
  });
}
