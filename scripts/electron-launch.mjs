// How the Electron binary is started, and whether it can be: the arguments every spawn of the
// binary uses, and `npm start`'s choice between Electron and the headless host. Pure functions
// of the environment, shared by `npm start` and the e2e fixture and unit-tested under Node.
// Plain ESM with no import.meta, so Playwright's TypeScript loader can load it too.

/**
 * Chromium aborts before any JavaScript runs when started as root without --no-sandbox
 * ("Running as root without --no-sandbox is not supported"), so a root launch must disable it.
 */
export function needsNoSandbox(platform, euid) {
  return platform === 'linux' && euid === 0;
}

/**
 * Why Electron has nothing to open a window on, or null. Only Linux needs a display server
 * named in the environment; without one Electron exits with "Missing X server or $DISPLAY".
 */
export function displayProblem(env, platform) {
  if (platform !== 'linux') return null;
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return null;
  return 'no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set; xvfb-run provides one)';
}

/**
 * The arguments for the Electron binary: the app folder, then the caller's arguments, with
 * --no-sandbox in front when this user needs it (or `noSandbox` asks for it, as Playwright's
 * own Electron launch does on every Linux) and it is not there already.
 */
export function electronArgs(appPath, args, { platform, euid, noSandbox = false }) {
  const off = (noSandbox && platform === 'linux') || needsNoSandbox(platform, euid);
  return off && !args.includes('--no-sandbox') ? ['--no-sandbox', appPath, ...args] : [appPath, ...args];
}

/**
 * `npm start`'s choice: Electron when a binary exists and can show a window, else the headless
 * host with the one reason it says.
 * @returns {{ host: 'electron', binary: string, args: string[] } | { host: 'headless', reason: string }}
 */
export function chooseStartHost({ found, appPath, args, env, platform, euid }) {
  if (found.binary === null) return { host: 'headless', reason: `no Electron binary is available (${found.reason})` };
  const noDisplay = displayProblem(env, platform);
  if (noDisplay !== null) return { host: 'headless', reason: noDisplay };
  return { host: 'electron', binary: found.binary, args: electronArgs(appPath, args, { platform, euid }) };
}

/** The effective uid, or null where the platform has none (Windows). */
export function currentEuid() {
  return typeof process.geteuid === 'function' ? process.geteuid() : null;
}
