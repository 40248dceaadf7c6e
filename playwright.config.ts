// Playwright runs the panel and kill-and-relaunch suites in e2e/ against real processes.
// Chromium: PLAYWRIGHT_CHROMIUM_PATH, else Debian's /usr/bin/chromium when installed, else
// Playwright's own download (npx playwright install chromium).
// Two projects run the same kill-and-relaunch specs: `headless` (the launcher-saga bin, the
// panel in Chromium) always, `electron` when an Electron binary and a display exist; without
// either, every Electron spec is skipped with the reason and the summary line says so.
import fs from 'node:fs';
import { defineConfig, devices } from '@playwright/test';
import type { Driver } from './e2e/fixtures';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
const executablePath =
  process.env.PLAYWRIGHT_CHROMIUM_PATH || (fs.existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined);

export default defineConfig<{ driver: Driver }>({
  testDir: 'e2e',
  // Specs start real app processes; two at a time is what a 2-core machine carries.
  workers: 2,
  fullyParallel: true,
  forbidOnly: true,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [
    ['list'],
    ['./e2e/summary-reporter.ts'],
    ...(process.env.CI ? [['json', { outputFile: 'test-results/e2e.json' }] as const] : []),
  ],
  use: {
    ...devices['Desktop Chrome'],
    viewport: { width: 1400, height: 860 },
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  projects: [
    { name: 'headless', use: { driver: 'headless' } },
    // panel.spec.ts drives the headless transport itself; the Electron app has no HTTP door.
    { name: 'electron', use: { driver: 'electron' }, testIgnore: /panel\.spec\.ts$/ },
  ],
});
