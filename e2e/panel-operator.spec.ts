// The panel as an operator uses it after a crash: a list that fits the screen, paging that
// cannot race, the view in the URL, search, and messages that say what to do. Against the
// real headless host (a child process) on a profile written the way the engine writes.
// Build first: `node scripts/build.mjs` (npm run test:e2e does).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import { loadOrCreatePanelAddress, savePanelAddress } from '../src-main/headless/panel-address';
import { startPanelServer } from '../src-main/headless/panel-server';
import { createSagaHandlers } from '../src-main/ipc/saga-handlers';
import { LOG_FILE_NAME, SagaLog } from '../src-main/saga/log/saga-log';
import { SagaEvents } from '../src-main/saga/saga-events';
import { DAY2, type Profile, writeProfile } from './support/operator-profile';
import { type Host, startHost } from './support/panel-host';
import { PanelPage } from './support/panel-page';

const ZONE = 'Europe/Berlin';

/** An instant as a datetime-local input's value in the page's zone. */
function localInput(ms: number): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .format(ms)
    .replace(' ', 'T');
}

const test = base.extend<{ profile: Profile; host: Host; panel: PanelPage }>({
  profile: async ({}, use) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panel-operator-'));
    await use(writeProfile(dir));
    fs.rmSync(dir, { recursive: true, force: true });
  },
  host: async ({ profile }, use) => {
    const host = await startHost(profile.dir);
    await use(host);
    await host.stop();
  },
  panel: async ({ page }, use) => {
    await use(new PanelPage(page));
  },
});

// A zone off UTC, so the shown zone and the time range are really local.
test.use({ timezoneId: ZONE });

test('at 1280x800 after an 8-saga recovery, a dozen one-line rows fit and the banner lists three', async ({ page, host, panel, profile }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await panel.goto(host.url);
  await expect(panel.rows).toHaveCount(50);
  await expect(panel.banner.getByTestId('banner-title')).toContainText('Recovery marked 8 interrupted sagas failed_compensation; 8 need review');
  await expect(panel.banner.getByTestId('banner-saga')).toHaveCount(3);
  await expect(panel.banner.getByTestId('banner-more')).toHaveText('5 more');
  expect(await panel.fullyVisibleRows()).toBeGreaterThanOrEqual(12);

  // One line per row: every row as tall as the shortest, however long its reason.
  const heights = await panel.rows.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
  expect(Math.max(...heights) - Math.min(...heights)).toBeLessThan(1);
  expect(Math.max(...heights)).toBeLessThan(30);

  // The key input tells the open_workspace rows apart; the reason is cut with its full text on hover.
  const crashed = panel.row(profile.interrupted[7]!);
  await expect(crashed.getByTestId('row-key')).toHaveText('crash-7');
  const reason = crashed.getByTestId('row-reason');
  await expect(reason).toHaveAttribute('title', /interrupted while running/);
  expect(await reason.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  await expect(crashed.getByTestId('row-duration')).toHaveText('≥ 300 ms');
  await expect(crashed.getByTestId('row-duration')).toHaveAttribute('title', 'ran at least 300 ms, interrupted');
  await expect(page.getByTestId('started-zone')).toHaveText(/^UTC\+0[12]:00$/);
  await expect(panel.row(profile.reviewed).getByTestId('row-reviewed')).toHaveText('✓');
  await expect(panel.row(profile.completed[119]!).getByTestId('row-reviewed')).toHaveText('');

  await panel.open(profile.interrupted[7]!);
  await expect(panel.detail.getByTestId('detail-key')).toHaveText('crash-7');
  await expect(panel.detail.getByTestId('detail-duration')).toHaveText('ran at least 300 ms, interrupted');
  expect(await panel.horizontalOverflow()).toEqual({ list: 0, detail: 0, page: 0 });

  // "N more" lists exactly what that recovery marked.
  await panel.banner.getByTestId('banner-more').click();
  await expect(panel.rows).toHaveCount(8);
  expect(await panel.rowIds()).toEqual([...profile.interrupted].reverse());
  await expect(page.getByTestId('filter-recovery')).toBeVisible();
});

test('at 400 px the list is stacked cards and nothing scrolls sideways', async ({ page, host, panel, profile }) => {
  await page.setViewportSize({ width: 400, height: 800 });
  await panel.goto(host.url);
  await expect(panel.rows).toHaveCount(50);
  expect(await panel.rows.first().evaluate((el) => getComputedStyle(el).display)).toBe('grid');
  expect(await panel.horizontalOverflow()).toEqual({ list: 0, detail: 0, page: 0 });
  await panel.open(profile.interrupted[0]!);
  expect(await panel.horizontalOverflow()).toEqual({ list: 0, detail: 0, page: 0 });
  await expect(panel.banner.getByTestId('banner-saga')).toHaveCount(3);
});

test('paging cannot race: n pressed quickly lands on the right page with its own rows', async ({ page, host, panel, profile }) => {
  await panel.goto(host.url);
  // Newest first: 8 interrupted, the reviewed one, then the completed ones.
  const all = [...profile.interrupted].reverse().concat([profile.reviewed], [...profile.completed].reverse());
  const pageOf = (n: number) => all.slice((n - 1) * 50, n * 50);
  expect(await panel.rowIds()).toEqual(pageOf(1));
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  await page.keyboard.press('n');
  await expect(panel.pageInfo).toContainText('page 2');
  expect(await panel.rowIds()).toEqual(pageOf(2));
  // Three presses before the first answer can arrive: each waits for the page before it.
  await page.keyboard.press('n');
  await page.keyboard.press('n');
  await expect(panel.pageInfo).toContainText('page 3');
  await expect(panel.pageInfo).toContainText(`#${pageOf(3)[0]} – #${pageOf(3).at(-1)}`);
  expect(await panel.rowIds()).toEqual(pageOf(3));
  await expect(page.getByTestId('page-older')).toBeDisabled();
  await page.keyboard.press('p');
  await page.keyboard.press('p');
  await expect(panel.pageInfo).toContainText('page 1');
  expect(await panel.rowIds()).toEqual(pageOf(1));
  for (let i = 0; i < 3; i++) await page.keyboard.press('n');
  await expect(panel.pageInfo).toContainText('page 3');
  expect(await panel.rowIds()).toEqual(pageOf(3));
  await page.keyboard.press('p');
  await expect(panel.pageInfo).toContainText('page 2');
  expect(await panel.rowIds()).toEqual(pageOf(2));
});

test('the view lives in the URL: a reload or a pasted link shows the same page, filters and saga', async ({ page, context, host, panel, profile }) => {
  await panel.goto(host.url);
  await panel.chip('completed').click();
  await panel.search.fill('open');
  await expect(panel.rows.first().locator('td.name')).toHaveText('open_workspace');
  await page.getByTestId('page-older').click();
  await expect(panel.pageInfo).toContainText('page 2');
  const ids = await panel.rowIds();
  await panel.open(ids[3]!);
  const hash = await panel.hash();
  expect(hash).toContain('state=completed');
  expect(hash).toContain('q=open');
  expect(hash).toContain('page=2');
  expect(hash).toContain(`saga=${ids[3]}`);

  await page.reload();
  await panel.waitForList();
  expect(await panel.rowIds()).toEqual(ids);
  await expect(panel.detail).toHaveAttribute('data-saga-id', String(ids[3]));
  await expect(panel.chip('completed')).toHaveAttribute('aria-pressed', 'true');
  await expect(panel.search).toHaveValue('open');

  const pasted = new PanelPage(await context.newPage());
  await pasted.goto(page.url());
  expect(await pasted.rowIds()).toEqual(ids);
  await expect(pasted.detail).toHaveAttribute('data-saga-id', String(ids[3]));

  // The banner's dismissal is remembered for this recovery.
  await expect(panel.banner).toBeVisible();
  await panel.banner.getByTestId('banner-dismiss').click();
  await expect(panel.banner).toBeHidden();
  const reports = page.waitForResponse((r) => r.url().includes('saga:recovery-reports'));
  await page.reload();
  await reports;
  await panel.waitForList();
  await expect(panel.banner).toBeHidden();
  // Another recovery's banner would still show: the key is the recovery's boot id.
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('saga-panel.dismissed-recovery.')).length)).toBe(1);
  void profile;
});

test('search: part of a name, a saga id, text in the input, a time range; counts in the chips', async ({ page, host, panel, profile }) => {
  await panel.goto(host.url);
  await expect(page.getByTestId('failed-compensation-count')).toHaveText('9');
  await expect(page.getByTestId('unreviewed-count')).toHaveText('8 to review');

  await panel.search.fill('CLOSE');
  await expect(panel.rows).toHaveCount(50);
  await expect(panel.rows.locator('td.name')).toHaveText(Array(50).fill('close_workspace'));

  await panel.search.fill(`#${profile.completed[10]}`);
  await expect(panel.detail).toHaveAttribute('data-saga-id', String(profile.completed[10]));
  await expect(panel.row(profile.completed[10]!)).toHaveCount(1);

  await panel.search.fill('');
  await panel.inputSearch.fill('grace');
  await expect(panel.rows).toHaveCount(40);
  for (const key of await panel.rows.getByTestId('row-key').allTextContents()) {
    expect(Number(key.replace('ws-', '')) % 3).toBe(0);
  }

  await panel.inputSearch.fill('');
  await page.getByTestId('filter-from').fill(localInput(DAY2 - 30 * 60_000));
  await page.getByTestId('filter-to').fill(localInput(DAY2 + 4 * 3600_000));
  await expect(panel.rows).toHaveCount(50);
  await page.getByTestId('page-older').click();
  // The 60 completed on day two and the failed_compensation written three hours after its start.
  await expect(panel.rows).toHaveCount(11);
});

test('no dead ends: the empty note, the stopped host, the empty log and the launcher link', async ({ page, host, panel, profile }) => {
  await panel.goto(host.url);
  await panel.open(profile.interrupted[0]!);
  const reviews: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('saga:review')) reviews.push(r.url());
  });
  await panel.detail.getByTestId('review-submit').click();
  await expect(panel.detail.getByTestId('review-error')).toHaveText('Write a note first: say what you checked or repaired, so the next person knows.');
  expect(reviews).toEqual([]);
  // The times say their zone, with UTC on hover.
  const started = panel.detail.locator('time').first();
  await expect(started).toHaveText(/ UTC\+0[12]:00$/);
  await expect(started).toHaveAttribute('title', /UTC$/);

  await host.stop();
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-live', 'false');
  await panel.chip('failed').click();
  await expect(page.getByTestId('list-error')).toContainText('The app is not running; relaunch it, and this tab reconnects.');
});

test('an empty log says how to start a saga and links to the launcher, which links back', async ({ page, panel }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panel-empty-'));
  const host = await startHost(dir);
  try {
    await panel.goto(host.url);
    await expect(page.getByTestId('list-empty')).toContainText('No sagas in the log yet. Start one from the launcher page');
    // Below the table header, not above it.
    const head = await page.locator('thead').boundingBox();
    const empty = await page.getByTestId('list-empty').boundingBox();
    expect(empty!.y).toBeGreaterThan(head!.y);
    await page.getByTestId('empty-launcher-link').click();
    await expect(page.getByTestId('launcher-form')).toBeVisible();
    await page.getByTestId('panel-link').click();
    await expect(page.getByTestId('list-empty')).toBeVisible();
  } finally {
    await host.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The host's start is the app's own; here the same address functions it will call serve the
// same handlers twice over one profile, as two launches would.
test('a relaunch of the same profile serves the same URL, and the open tab reconnects by itself', async ({ page, panel }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panel-relaunch-'));
  const panelDir = path.join(__dirname, '..', 'dist', 'renderer');
  const launch = async () => {
    const log = SagaLog.open(path.join(dir, LOG_FILE_NAME));
    const address = loadOrCreatePanelAddress(dir);
    const server = await startPanelServer({
      handlers: createSagaHandlers({ log, events: new SagaEvents(), reviewer: 'tester' }),
      panelDir,
      token: address.token,
      port: address.port,
      anyPortIfTaken: true,
    });
    savePanelAddress(dir, { token: server.token, port: server.port });
    return { log, server, stop: async () => (await server.close(), log.close()) };
  };
  try {
    const first = await launch();
    await panel.goto(first.server.url);
    const live = page.getByTestId('live-status');
    await expect(live).toHaveAttribute('data-live', 'true');
    await first.stop();
    await expect(live).toHaveAttribute('data-live', 'false');

    // Written while the app was down; the relaunched app serves it at the same address.
    const offline = SagaLog.open(path.join(dir, LOG_FILE_NAME));
    const id = offline.startSaga({ name: 'open_workspace', inputJson: '{"name":"after-relaunch"}' });
    offline.close();
    const second = await launch();
    try {
      expect(second.server.url).toBe(first.server.url);
      await expect(live).toHaveAttribute('data-live', 'true', { timeout: 20_000 });
      await expect(panel.row(id).getByTestId('row-key')).toHaveText('after-relaunch');
    } finally {
      await second.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
