// axe-core (WCAG 2 A and AA rules plus best practices) over the panel's list, its detail and
// the launcher page, in light and in dark, against the real headless host after a crash.
// Build first: `node scripts/build.mjs` (npm run test:e2e does).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type Page, test as base, expect } from '@playwright/test';
import { type Profile, writeProfile } from './support/operator-profile';
import { type Host, startHost } from './support/panel-host';
import { PanelPage } from './support/panel-page';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

const test = base.extend<{ profile: Profile; host: Host }>({
  profile: async ({}, use) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panel-a11y-'));
    await use(writeProfile(dir, 30));
    fs.rmSync(dir, { recursive: true, force: true });
  },
  host: async ({ profile }, use) => {
    const host = await startHost(profile.dir);
    await use(host);
    await host.stop();
  },
});

/** Every violation as one readable line, so a failure says what to fix and where. */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(0, 2).join(' ')}`));
}

for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`${colorScheme} scheme`, () => {
    test.use({ colorScheme });

    test('the list, the detail and the launcher page have no axe violations', async ({ page, host, profile }) => {
      const panel = new PanelPage(page);
      await panel.goto(host.url);
      await expect(panel.rows).toHaveCount(30 + 1 + 8);
      await expect(panel.banner).toBeVisible();
      await expect(page.getByTestId('live-status')).toHaveAttribute('data-live', 'true');
      expect(await violations(page)).toEqual([]);

      // A selected row, the detail of an interrupted saga with its review form, and a reviewed one.
      await panel.open(profile.interrupted[0]!);
      await page.keyboard.press('j');
      await panel.detail.locator('details.payloads').first().evaluate((d) => ((d as HTMLDetailsElement).open = true));
      expect(await violations(page)).toEqual([]);
      await panel.open(profile.reviewed);
      await expect(panel.detail.getByTestId('review-info')).toBeVisible();
      expect(await violations(page)).toEqual([]);

      await page.goto(`${host.url}launcher.html`);
      await expect(page.getByTestId('launcher-form')).toBeVisible();
      await page.getByTestId('launcher-open').click();
      await expect(page.getByTestId('launcher-results').locator('li')).toHaveCount(1);
      expect(await violations(page)).toEqual([]);
    });
  });
}
