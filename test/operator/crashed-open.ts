// A profile whose open_workspace a real launch left interrupted (SIGKILLed at a crash point, with
// real host and srv peers), and a direct read of srv's own store, for the operator-action and
// reconciliation tests.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { WORKSPACE_STORE_FILE } from '../../src-main/workspace-app/workspace-store';
import { startTs } from '../boot/child';
import { tempDir } from '../helpers/temp-dir';
import { workspaces } from '../recovery/matrix/stores';
import { waitForNoneMarked } from '../recovery/processes';
import { requireBuild } from '../helpers/workspace-boot';

const CHILD = path.resolve(import.meta.dirname, '../recovery/fixtures/crash-child.ts');
requireBuild();

/** Runs open_workspace in a real launch that SIGKILLs itself at `at`; returns the profile. */
export async function crashedOpen(at: string, faults: Record<string, string> = {}): Promise<string> {
  const dir = tempDir('compensate-');
  const marker = crypto.randomUUID();
  const child = startTs(CHILD, [dir, JSON.stringify({ name: 'ws', owner: 'ada', accessToken: 'secret-token' }), JSON.stringify(faults)], {
    LAUNCHER_CRASH_AT: at,
    LAUNCHER_TEST_MARK: marker,
  });
  const { signal } = await child.exited;
  assert.equal(signal, 'SIGKILL', `main died by SIGKILL (stdout: ${child.stdout()} stderr: ${child.stderr()})`);
  assert.deepEqual(await waitForNoneMarked(`LAUNCHER_TEST_MARK=${marker}`, 5000), [], 'no peer or session outlived main');
  return dir;
}

/** How many workspaces srv's own store holds (none when the store was never created). */
export function workspacesIn(dir: string): number {
  return fs.existsSync(path.join(dir, WORKSPACE_STORE_FILE)) ? workspaces(dir).length : 0;
}

