// `npm start` (after the build): the Electron app when an Electron binary is present and a
// display to show it on, otherwise the headless host, announced in one line. It never loads
// the `electron` package itself: requiring it without a binary starts a download.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.mjs';
import { chooseStartHost, currentEuid } from './electron-launch.mjs';

const root = path.resolve(import.meta.dirname, '..');
const APP_NAME = 'launcher-saga';

/** The profile Electron itself would use for this app, so both hosts open the same log. */
export function defaultUserDataDir(env = process.env, platform = process.platform) {
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), APP_NAME);
}

function hasUserDataDir(args) {
  return args.some((a) => a === '--user-data-dir' || a.startsWith('--user-data-dir='));
}

function runElectron(binary, spawnArgs) {
  const main = path.join(root, 'dist', 'electron', 'main.js');
  if (!fs.existsSync(main)) {
    console.error(`npm start: ${path.relative(root, main)} is missing; run the build first (npm run build).`);
    process.exit(1);
  }
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // would make the binary a plain Node and ignore the app
  const child = spawn(binary, spawnArgs, { stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (err) => {
    console.error(`npm start: could not start ${binary}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}

function runHeadless(args) {
  const cli = path.join(root, 'dist', 'cli', 'launcher-saga.js');
  if (!fs.existsSync(cli)) {
    console.error(`npm start: ${path.relative(root, cli)} is missing; run the build first (npm run build).`);
    process.exit(1);
  }
  const profile = hasUserDataDir(args) ? [] : ['--user-data-dir', defaultUserDataDir()];
  // Loaded into this process rather than spawned: this process then IS the host, so signals
  // reach it directly and a kill of this pid is a kill of main, as with the bin itself.
  process.argv = [process.argv[0], cli, 'headless', ...profile, ...args];
  createRequire(import.meta.url)(cli);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  // The project folder, not main.js: Electron then reads package.json (name, main), so the app
  // is named launcher-saga and its default profile matches the one the headless host uses.
  const choice = chooseStartHost({
    found: findElectronBinary(root),
    appPath: root,
    args,
    env: process.env,
    platform: process.platform,
    euid: currentEuid(),
  });
  if (choice.host === 'electron') runElectron(choice.binary, choice.args);
  else {
    console.error(`npm start: ${choice.reason}; starting the headless host instead.`);
    runHeadless(args);
  }
}
