// The workspace app's subsystem on a profile, as a host boots it, for tests that boot for real.
import fs from 'node:fs';
import path from 'node:path';
import { type SagaSubsystem, type SubsystemOptions, startSagaSubsystem } from '../../src-main/index';
import { workspaceApp } from '../../src-main/workspace-app/app';

export const DIST_DIR = path.resolve(__dirname, '../../dist');

/** Tests that start real peers run the built ones: fail at once, saying so, when there is no build. */
export function requireBuild(): void {
  for (const f of ['host.js', 'srv.js', 'session-process.js']) {
    if (!fs.existsSync(path.join(DIST_DIR, 'peers', f))) {
      throw new Error(`dist/peers/${f} is missing: build first with node scripts/build.mjs`);
    }
  }
}

/** `peersDir`: where the built peers are, for a fixture bundled away from the checkout. */
export function bootWorkspace(options: SubsystemOptions, peersDir = path.join(DIST_DIR, 'peers')): Promise<SagaSubsystem> {
  const app = workspaceApp({ peersDir });
  return startSagaSubsystem({ ...app.subsystem({ userDataDir: options.userDataDir }), ...options });
}
