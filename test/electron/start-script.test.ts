// scripts/start.mjs as a real process: with an Electron binary and a display it runs the app
// on the project (forwarding arguments and the exit code, without the sandbox as root on
// Linux); without either it says why in one line and runs the headless host instead.
// Needs the build (npm run test:unit builds first).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { electronArgs } from '../../scripts/electron-launch.mjs';
import { tempDir } from '../helpers/temp-dir';

const root = path.resolve(__dirname, '..', '..');
const script = path.join(root, 'scripts', 'start.mjs');

/** `env` entries set to undefined are removed from the inherited environment. */
function runStart(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A stand-in Electron binary in a fresh dist folder that records how it was started. */
function fakeElectron(): { distPath: string; record: string } {
  const distPath = tempDir('fake-electron-');
  const record = path.join(distPath, 'argv.json');
  const binary = path.join(distPath, process.platform === 'win32' ? 'electron.exe' : 'electron');
  fs.writeFileSync(
    binary,
    `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify({ argv: process.argv.slice(2), runAsNode: process.env.ELECTRON_RUN_AS_NODE ?? null }));\nprocess.exit(7);\n`,
  );
  fs.chmodSync(binary, 0o755);
  return { distPath, record };
}

const euid = typeof process.geteuid === 'function' ? process.geteuid() : null;

describe('npm start', () => {
  test('runs the Electron binary from ELECTRON_OVERRIDE_DIST_PATH on the project, forwarding args and exit code', async () => {
    assert.ok(fs.existsSync(path.join(root, 'dist', 'electron', 'main.js')), 'the build ran (dist/electron/main.js exists)');
    const { distPath, record } = fakeElectron();
    const res = await runStart(['--saga-panel', '--user-data-dir', '/tmp/p'], {
      ELECTRON_OVERRIDE_DIST_PATH: distPath,
      ELECTRON_RUN_AS_NODE: '1',
      // The stand-in opens no window; a display name is all the choice looks at.
      DISPLAY: ':99',
    });
    assert.equal(res.code, 7, res.stderr);
    const { argv, runAsNode } = JSON.parse(fs.readFileSync(record, 'utf8')) as { argv: string[]; runAsNode: string | null };
    assert.deepEqual(argv.filter((a) => a !== '--no-sandbox'), [root, '--saga-panel', '--user-data-dir', '/tmp/p']);
    // Root on Linux (as here when the tests run as root) would abort Electron without it.
    assert.equal(argv.includes('--no-sandbox'), process.platform === 'linux' && euid === 0);
    assert.deepEqual(argv, electronArgs(root, ['--saga-panel', '--user-data-dir', '/tmp/p'], { platform: process.platform, euid }));
    assert.equal(runAsNode, null);
    assert.doesNotMatch(res.stderr, /headless/);
  });

  test('a binary but no display (Linux): one line saying so, then the headless host with the arguments', { skip: process.platform !== 'linux' && 'only Linux needs a display variable' }, async () => {
    const { distPath, record } = fakeElectron();
    const res = await runStart(['--user-data-dir', tempDir('profile-'), '--port', 'not-a-port'], {
      ELECTRON_OVERRIDE_DIST_PATH: distPath,
      DISPLAY: undefined,
      WAYLAND_DISPLAY: undefined,
    });
    const lines = res.stderr.trim().split('\n');
    assert.equal(
      lines[0],
      'npm start: no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set; xvfb-run provides one); starting the headless host instead.',
    );
    assert.equal(fs.existsSync(record), false, 'the Electron binary was not started');
    assert.match(res.stderr, /headless: --port/);
    assert.equal(res.code, 2);
  });

  test('without a binary: one line saying so and why, then the headless host with the arguments', async () => {
    assert.ok(fs.existsSync(path.join(root, 'dist', 'cli', 'launcher-saga.js')), 'the build ran (dist/cli/launcher-saga.js exists)');
    const missing = path.join(tempDir('no-electron-'), 'nothing-here');
    // A bad --port makes the headless host refuse at once (exit 2), proving the arguments reached it.
    const res = await runStart(['--user-data-dir', tempDir('profile-'), '--port', 'not-a-port'], {
      ELECTRON_OVERRIDE_DIST_PATH: missing,
    });
    const lines = res.stderr.trim().split('\n');
    assert.match(lines[0] ?? '', /^npm start: no Electron binary is available \(ELECTRON_OVERRIDE_DIST_PATH is set but .* does not exist\); starting the headless host instead\.$/);
    assert.equal(lines.filter((l) => l.includes('no Electron binary')).length, 1);
    assert.match(res.stderr, /headless: --port/);
    assert.equal(res.code, 2);
  });
});
