// The workspace app as every host runs it: its sagas, main's panel views as self handlers, its
// host and srv peers (built beside this bundle), and the launcher page's runner.
import fs from 'node:fs';
import path from 'node:path';
import type { SagaApp, SagaSubsystem } from '../index';
import { FaultPlan, withFaults } from './fault-plan';
import { noopPeersSaga, noopSelfSaga } from './noop-sagas';
import { PanelViews, selfHandlers } from './panel-views';
import { createWorkspaceRunner } from './workspace-runner';
import { closeWorkspace, openWorkspace } from './workspace-sagas';

export const WORKSPACE_SAGAS = [openWorkspace, closeWorkspace, noopSelfSaga, noopPeersSaga];

/** The built peers: dist/peers/{host,srv}.js, found from a bundle in dist/ or one folder below it. */
export function peersDir(from: string = __dirname): string {
  const candidates = [path.join(from, 'peers'), path.join(from, '..', 'peers')];
  const found = candidates.find((d) => fs.existsSync(path.join(d, 'host.js')));
  if (!found) throw new Error(`the built peers are missing (looked in ${candidates.join(' and ')}); build the app first (npm run build)`);
  return found;
}

export interface WorkspaceAppOptions {
  /** Where the built peers are; found beside this bundle by default. */
  peersDir?: string;
}

export function workspaceApp(options: WorkspaceAppOptions = {}): SagaApp {
  return {
    name: 'launcher-saga',
    subsystem: ({ userDataDir }) => {
      const dir = options.peersDir ?? peersDir();
      return {
        sagas: WORKSPACE_SAGAS,
        self: withFaults(selfHandlers(new PanelViews()), new FaultPlan(userDataDir), 'self'),
        peers: { host: { entry: path.join(dir, 'host.js') }, srv: { entry: path.join(dir, 'srv.js') } },
      };
    },
    launcher: (subsystem: SagaSubsystem, { userDataDir, operator }) => createWorkspaceRunner(subsystem, new FaultPlan(userDataDir), operator),
  };
}
