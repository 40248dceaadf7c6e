// Where an Electron binary would be, checked on disk; shared by `npm start` and the e2e fixture.
// The `electron` package is never required here: without its binary, loading it starts a download.
// Plain ESM with no import.meta, so Playwright's TypeScript loader can load it too.
import fs from 'node:fs';
import path from 'node:path';

/** Where the `electron` package keeps its binary, per platform (as its install script lays it out). */
function executableName(platform) {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

/**
 * The Electron binary to run, or why there is none: ELECTRON_OVERRIDE_DIST_PATH, else
 * `<root>/node_modules/electron/dist`.
 * @returns {{ binary: string } | { binary: null, reason: string }}
 */
export function findElectronBinary(root, env = process.env, platform = process.platform) {
  const name = executableName(platform);
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const binary = path.join(env.ELECTRON_OVERRIDE_DIST_PATH, name);
    if (fs.existsSync(binary)) return { binary };
    return { binary: null, reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${binary} does not exist` };
  }
  const installed = path.join(root, 'node_modules', 'electron', 'dist', name);
  if (fs.existsSync(installed)) return { binary: installed };
  return {
    binary: null,
    reason: 'node_modules/electron/dist holds no binary (its download never happened) and ELECTRON_OVERRIDE_DIST_PATH is not set',
  };
}
