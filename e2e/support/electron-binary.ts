// The e2e side of the Electron binary lookup and launch decisions `npm start` uses
// (scripts/electron-binary.mjs, scripts/electron-launch.mjs).
import path from 'node:path';
import { type ElectronBinary, findElectronBinary as findIn } from '../../scripts/electron-binary.mjs';
import { currentEuid, displayProblem, electronArgs } from '../../scripts/electron-launch.mjs';

const ROOT = path.resolve(__dirname, '..', '..');

export function findElectronBinary(): ElectronBinary {
  return findIn(ROOT);
}

/** The prefix of every skip reason the Electron project gives; the summary reporter groups by reason. */
export const ELECTRON_SKIP_PREFIX = 'Electron: ';

/** The Electron binary and a display to run it on, or the skip reason (with its prefix) for why not. */
export function electronToRun(): { binary: string; skip: null } | { binary: null; skip: string } {
  const found = findElectronBinary();
  if (found.binary === null) return { binary: null, skip: `${ELECTRON_SKIP_PREFIX}no Electron binary on this machine: ${found.reason}` };
  // Without this Playwright's launch fails with "Unable to open X display" instead of a skip.
  const noDisplay = displayProblem(process.env, process.platform);
  if (noDisplay !== null) return { binary: null, skip: `${ELECTRON_SKIP_PREFIX}${noDisplay}` };
  return { binary: found.binary, skip: null };
}

/**
 * Arguments for a launch the fixture spawns itself: the same --no-sandbox choice Playwright's
 * _electron.launch makes for the first instance (on every Linux), which root needs in any case.
 */
export function spawnArgs(args: readonly string[]): string[] {
  return electronArgs(ROOT, args, { platform: process.platform, euid: currentEuid(), noSandbox: true });
}
