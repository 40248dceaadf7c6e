// The decisions every spawn of the Electron binary goes through (scripts/electron-launch.mjs):
// --no-sandbox for root on Linux, and npm start's fallback to the headless host when there is
// no binary or no display. Pure functions, checked for every combination that matters.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseStartHost, displayProblem, electronArgs, needsNoSandbox } from '../../scripts/electron-launch.mjs';

const APP = '/opt/app';
const X11 = { DISPLAY: ':0' };
const BINARY = { binary: '/opt/electron/electron' } as const;

describe('--no-sandbox', () => {
  test('only root on Linux needs it', () => {
    assert.equal(needsNoSandbox('linux', 0), true);
    assert.equal(needsNoSandbox('linux', 1000), false);
    assert.equal(needsNoSandbox('darwin', 0), false);
    assert.equal(needsNoSandbox('win32', null), false);
  });

  test('root on Linux gets it in front of the app folder; the arguments follow unchanged', () => {
    assert.deepEqual(electronArgs(APP, ['--user-data-dir', '/p', '--saga-panel'], { platform: 'linux', euid: 0 }), [
      '--no-sandbox',
      APP,
      '--user-data-dir',
      '/p',
      '--saga-panel',
    ]);
  });

  test('a user, or root on macOS, keeps the sandbox', () => {
    assert.deepEqual(electronArgs(APP, ['--saga-panel'], { platform: 'linux', euid: 1000 }), [APP, '--saga-panel']);
    assert.deepEqual(electronArgs(APP, [], { platform: 'darwin', euid: 0 }), [APP]);
    assert.deepEqual(electronArgs(APP, [], { platform: 'win32', euid: null }), [APP]);
  });

  test('asked for on Linux (as Playwright launches Electron) it is added for any user, never twice, and never off Linux', () => {
    assert.deepEqual(electronArgs(APP, [], { platform: 'linux', euid: 1000, noSandbox: true }), ['--no-sandbox', APP]);
    assert.deepEqual(electronArgs(APP, ['--no-sandbox'], { platform: 'linux', euid: 0 }), [APP, '--no-sandbox']);
    assert.deepEqual(electronArgs(APP, [], { platform: 'darwin', euid: 1000, noSandbox: true }), [APP]);
  });
});

describe('a display to open windows on', () => {
  test('Linux needs DISPLAY or WAYLAND_DISPLAY; an empty value is none', () => {
    assert.equal(displayProblem({ DISPLAY: ':99' }, 'linux'), null);
    assert.equal(displayProblem({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux'), null);
    assert.match(displayProblem({}, 'linux') ?? '', /^no display to open a window on \(neither DISPLAY nor WAYLAND_DISPLAY is set; xvfb-run provides one\)$/);
    assert.notEqual(displayProblem({ DISPLAY: '' }, 'linux'), null);
  });

  test('macOS and Windows always have one', () => {
    assert.equal(displayProblem({}, 'darwin'), null);
    assert.equal(displayProblem({}, 'win32'), null);
  });
});

describe("npm start's choice of host", () => {
  test('a binary and a display: Electron on the app folder with the arguments', () => {
    assert.deepEqual(chooseStartHost({ found: BINARY, appPath: APP, args: ['--saga-panel'], env: X11, platform: 'linux', euid: 1000 }), {
      host: 'electron',
      binary: BINARY.binary,
      args: [APP, '--saga-panel'],
    });
  });

  test('as root on Linux: still Electron, without the sandbox', () => {
    assert.deepEqual(chooseStartHost({ found: BINARY, appPath: APP, args: [], env: X11, platform: 'linux', euid: 0 }), {
      host: 'electron',
      binary: BINARY.binary,
      args: ['--no-sandbox', APP],
    });
  });

  test('no binary: the headless host, saying why', () => {
    const choice = chooseStartHost({ found: { binary: null, reason: 'nothing downloaded' }, appPath: APP, args: [], env: X11, platform: 'linux', euid: 0 });
    assert.deepEqual(choice, { host: 'headless', reason: 'no Electron binary is available (nothing downloaded)' });
  });

  test('a binary but no display on Linux: the headless host, saying so', () => {
    const choice = chooseStartHost({ found: BINARY, appPath: APP, args: [], env: {}, platform: 'linux', euid: 1000 });
    assert.equal(choice.host, 'headless');
    assert.match(choice.host === 'headless' ? choice.reason : '', /^no display to open a window on/);
  });

  test('no binary and no display: the missing binary is the reason given', () => {
    const choice = chooseStartHost({ found: { binary: null, reason: 'nothing downloaded' }, appPath: APP, args: [], env: {}, platform: 'linux', euid: 1000 });
    assert.deepEqual(choice, { host: 'headless', reason: 'no Electron binary is available (nothing downloaded)' });
  });

  test('macOS needs no display variable', () => {
    assert.equal(chooseStartHost({ found: BINARY, appPath: APP, args: [], env: {}, platform: 'darwin', euid: 501 }).host, 'electron');
  });
});
