// Where an Electron binary would be, checked on disk. The `electron` package is never
// required here: without its binary, loading it starts a download.
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

function executableName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

export type ElectronBinary = { binary: string } | { binary: null; reason: string };

/** Same lookup as `npm start` (scripts/start.mjs): ELECTRON_OVERRIDE_DIST_PATH, else node_modules/electron/dist. */
export function findElectronBinary(env: NodeJS.ProcessEnv = process.env, platform = process.platform): ElectronBinary {
  const name = executableName(platform);
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const binary = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, name);
    if (fs.existsSync(binary)) return { binary };
    return { binary: null, reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${binary} does not exist` };
  }
  const installed = path.join(ROOT, 'node_modules', 'electron', 'dist', name);
  if (fs.existsSync(installed)) return { binary: installed };
  return {
    binary: null,
    reason: 'node_modules/electron/dist holds no binary (its download never happened) and ELECTRON_OVERRIDE_DIST_PATH is not set',
  };
}

/** The prefix of every skip reason the Electron project gives; the summary reporter groups by it. */
export const ELECTRON_SKIP_PREFIX = 'Electron: no Electron binary on this machine: ';
