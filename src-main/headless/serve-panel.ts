// The panel served from the headless host: the saga handlers over the subsystem's log and
// events, the app's launcher page if it has one, on 127.0.0.1 behind a per-launch token.
import fs from 'node:fs';
import path from 'node:path';
import type { SagaSubsystem } from '../boot/subsystem';
import { operatorName } from '../boot/operator-name';
import { type RunLauncherSaga, createLauncherHandler } from '../ipc/launcher-handler';
import { sagaHandlersFor } from '../ipc/saga-handlers';
import { type PanelServer, startPanelServer } from './panel-server';

export interface ServePanelOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The app's launcher page runner; absent, launcher channels answer unknown_channel. */
  launcher?: RunLauncherSaga;
  /** The built panel (index.html, panel.js, ...); found beside this bundle by default. */
  panelDir?: string;
  /** Recorded as reviewedBy; the OS user by default. */
  reviewer?: string;
  /** A stored token (see panel-address.ts), so an open tab reconnects after a relaunch; a new one by default. */
  token?: string;
  /** With a stored port: take any free port when it is taken, instead of failing. */
  anyPortIfTaken?: boolean;
}

/** The built panel beside this bundle: dist/renderer from dist/index.js or from dist/<folder>/x.js. */
export function defaultPanelDir(from: string = __dirname): string {
  const candidates = [path.join(from, 'renderer'), path.join(from, '..', 'renderer')];
  const found = candidates.find((d) => fs.existsSync(path.join(d, 'index.html')));
  if (!found) throw new Error(`the built panel is missing (looked in ${candidates.join(' and ')}); build first (npm run build)`);
  return found;
}

export async function servePanelHeadless(subsystem: SagaSubsystem, options: ServePanelOptions = {}): Promise<PanelServer> {
  const port = options.port ?? 0;
  const handlers = sagaHandlersFor(subsystem, options.reviewer ?? operatorName());
  try {
    return await startPanelServer({
      handlers,
      ...(options.launcher && { launcher: createLauncherHandler(options.launcher) }),
      port,
      ...(options.token !== undefined && { token: options.token }),
      ...(options.anyPortIfTaken !== undefined && { anyPortIfTaken: options.anyPortIfTaken }),
      panelDir: options.panelDir ?? defaultPanelDir(),
    });
  } catch (err) {
    if ((err as { code?: unknown }).code === 'EADDRINUSE') {
      throw new Error(`port ${port} on 127.0.0.1 is already in use; pick another with --port, or 0 for a free one`);
    }
    throw err;
  }
}
