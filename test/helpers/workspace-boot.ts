// The workspace app's subsystem on a profile, as a host boots it, for tests that boot for real.
import path from 'node:path';
import { type SagaSubsystem, type SubsystemOptions, startSagaSubsystem } from '../../src-main/index';
import { workspaceApp } from '../../src-main/workspace-app/app';

export const DIST_DIR = path.resolve(__dirname, '../../dist');

/** `peersDir`: where the built peers are, for a fixture bundled away from the checkout. */
export function bootWorkspace(options: SubsystemOptions, peersDir = path.join(DIST_DIR, 'peers')): Promise<SagaSubsystem> {
  const app = workspaceApp({ peersDir });
  return startSagaSubsystem({ ...app.subsystem({ userDataDir: options.userDataDir }), ...options });
}
