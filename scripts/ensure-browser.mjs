// Finds a Chromium for Playwright: $PLAYWRIGHT_CHROMIUM_PATH, Debian's /usr/bin/chromium
// (installed here when running as root on Debian), else Playwright's own download.
// Prints the path it settled on; exits 1 with what to install when it cannot get one.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

function playwrightOwn() {
  try {
    // playwright-core is CommonJS; require keeps this script synchronous.
    const { chromium } = createRequire(import.meta.url)('playwright-core');
    const p = chromium.executablePath();
    return p && fs.existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

export function findBrowser() {
  const fromEnv = process.env.PLAYWRIGHT_CHROMIUM_PATH;
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  if (fs.existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  return playwrightOwn();
}

function tryDebianInstall() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !fs.existsSync('/etc/debian_version')) return false;
  console.log('ensure-browser: installing Debian chromium (apt-get)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status !== 0) return false;
  const install = spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  return install.status === 0 && fs.existsSync(DEBIAN_CHROMIUM);
}

function tryPlaywrightDownload() {
  console.log("ensure-browser: downloading Playwright's Chromium");
  try {
    execFileSync('npx', ['playwright', 'install', 'chromium'], { stdio: 'inherit' });
    return playwrightOwn() !== null;
  } catch {
    return false;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let found = findBrowser();
  if (!found && (tryDebianInstall() || tryPlaywrightDownload())) found = findBrowser();
  if (!found) {
    console.error(
      'ensure-browser: no Chromium found and none could be installed; install Debian\'s `chromium` package (apt-get install chromium) or run `npx playwright install chromium`, or set PLAYWRIGHT_CHROMIUM_PATH',
    );
    process.exit(1);
  }
  console.log(`ensure-browser: using ${found}`);
}
