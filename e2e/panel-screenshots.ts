// Makes docs/panel.png, docs/panel-dark.png and docs/panel-narrow.png from a real run: the demo
// on a fresh profile, then the headless host with a dozen workspaces opening at once and a crash
// point that SIGKILLs it mid-run, then a relaunch whose recovery the panel shows.
// Run after a build: `node scripts/build.mjs && node --import tsx e2e/panel-screenshots.ts`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { createLauncherApi } from '../src-shared/launcher-contract';
import { CLI } from './support/panel-host';

const ROOT = path.resolve(__dirname, '..');
const DOCS = path.join(ROOT, 'docs');
const CHROMIUM = process.env.PLAYWRIGHT_CHROMIUM_PATH || (fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
const WORKSPACES = ['payroll', 'design-review', 'q3-forecast', 'onboarding', 'legal-archive', 'support-triage', 'release-notes', 'hiring-plan', 'ops-runbook', 'brand-assets', 'infra-costs', 'roadmap'];

/** Starts the headless host; resolves with its panel URL and a promise of its exit. */
function headless(profile: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [CLI, 'headless', '--user-data-dir', profile, '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^panel: (\S+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error('the headless host exited before printing its panel line')));
  });
  return { child, url, exited };
}

async function main(): Promise<void> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'panel-screenshots-'));
  try {
    const demo = spawnSync(process.execPath, [CLI, 'demo', '--user-data-dir', profile, '--sagas', '40', '--fail-rate', '0.2'], { stdio: 'inherit' });
    if (demo.status !== 0) throw new Error(`the demo exited with ${demo.status}`);

    // The first open_workspace to reach its final step kills the host; the others are mid-run.
    const crashing = headless(profile, { LAUNCHER_CRASH_AT: 'open_workspace:3:after_pending' });
    const url = new URL(await crashing.url);
    const token = url.pathname.split('/')[1]!;
    const api = createLauncherApi(async (channel, request) => {
      const res = await fetch(`${url.origin}/api/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(request),
      });
      return res.json();
    });
    for (const workspace of WORKSPACES) void api.runSaga({ saga: 'open_workspace', workspace });
    await crashing.exited;

    const host = headless(profile);
    const panelUrl = await host.url;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const shoot = async (file: string, viewport: { width: number; height: number }, colorScheme: 'light' | 'dark') => {
        const page = await browser.newPage({ viewport, colorScheme });
        await page.goto(panelUrl);
        await page.getByTestId('banner-saga').first().waitFor();
        // Wide enough for list and detail side by side: open the first saga the banner names.
        if (viewport.width > 1100) {
          await page.getByTestId('banner-saga').first().click();
          await page.getByTestId('saga-detail').waitFor();
        }
        await page.getByTestId('live-status').and(page.locator('[data-live="true"]')).waitFor();
        await page.screenshot({ path: path.join(DOCS, file) });
        await page.close();
      };
      await shoot('panel.png', { width: 1280, height: 800 }, 'light');
      await shoot('panel-dark.png', { width: 1280, height: 800 }, 'dark');
      await shoot('panel-narrow.png', { width: 400, height: 800 }, 'light');
    } finally {
      await browser.close();
      host.child.kill('SIGTERM');
      await host.exited;
    }
    console.log(`wrote ${['panel.png', 'panel-dark.png', 'panel-narrow.png'].map((f) => path.join('docs', f)).join(', ')}`);
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
