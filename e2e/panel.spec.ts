// The saga panel in Chromium against the headless host started as a real child process
// (`launcher-saga headless`), on a profile written through SagaLog the way the engine writes.
// Build first: `node scripts/build.mjs` (npm run test:e2e does).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect } from '@playwright/test';
import { type PanelServer, startPanelServer } from '../src-main/headless/panel-server';
import { createSagaHandlers } from '../src-main/ipc/saga-handlers';
import { LOG_FILE_NAME, SagaLog } from '../src-main/saga/log/saga-log';
import { SagaEvents } from '../src-main/saga/saga-events';
import { type Host, startHost } from './support/panel-host';
import { writeCompleted, writeFailed, writeFailedCompensation, writeInterrupted } from '../test/ipc/panel-fixtures';

const ROOT = path.resolve(__dirname, '..');
const PANEL_DIR = path.join(ROOT, 'dist', 'renderer');


interface Profile {
  dir: string;
  ids: { completed: number[]; failed: number; failedCompensation: number; interrupted: number };
}

const test = base.extend<{ profile: Profile; host: Host }>({
  profile: async ({}, use) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panel-e2e-'));
    const log = SagaLog.open(path.join(dir, LOG_FILE_NAME));
    const completed: number[] = [];
    for (let i = 0; i < 60; i++) completed.push(writeCompleted(log, i % 4 === 0 ? 'update-app' : 'install-package', { pkg: `p${i}` }));
    const failed = writeFailed(log);
    const failedCompensation = writeFailedCompensation(log);
    // Left running with step 1 pending, as a SIGKILL would: the host's recovery must mark it.
    const interrupted = writeInterrupted(log);
    log.close();
    await use({ dir, ids: { completed, failed, failedCompensation, interrupted } });
    fs.rmSync(dir, { recursive: true, force: true });
  },
  host: async ({ profile }, use) => {
    const host = await startHost(profile.dir);
    await use(host);
    expect(await host.stop()).toBe(0);
  },
});

const rows = (page: import('@playwright/test').Page) => page.getByTestId('saga-row');
const sagaRow = (page: import('@playwright/test').Page, sagaId: number) => page.locator(`[data-testid="saga-row"][data-saga-id="${sagaId}"]`);

/** The panel server in this process, over a fresh log, so a test can push changes and drive its transport. */
async function startInProcessPanel(prefix: string, options: { heartbeatMs?: number } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const log = SagaLog.open(path.join(dir, LOG_FILE_NAME));
  const events = new SagaEvents();
  const server = await startPanelServer({
    handlers: createSagaHandlers({ log, events, reviewer: 'tester' }),
    port: 0,
    panelDir: PANEL_DIR,
    ...options,
  });
  const close = async () => {
    await server.close();
    log.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { log, events, server, close };
}

test('lists sagas newest first, pages with the cursor, and moves with the keyboard', async ({ page, host, profile }) => {
  await page.goto(host.url);
  await expect(rows(page)).toHaveCount(50);
  await expect(rows(page).first()).toHaveAttribute('data-saga-id', String(profile.ids.interrupted));
  const first = rows(page).first();
  await expect(first.getByTestId('state-badge')).toHaveText('failed_compensation');
  await expect(first.getByTestId('row-steps')).toContainText('1/3');

  await page.getByTestId('page-older').click();
  await expect(rows(page)).toHaveCount(63 - 50);
  await expect(rows(page).last()).toHaveAttribute('data-saga-id', '1');
  await expect(page.getByTestId('page-older')).toBeDisabled();
  await page.getByTestId('page-newer').click();
  await expect(rows(page)).toHaveCount(50);

  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('saga-detail')).toHaveAttribute('data-saga-id', String(profile.ids.failedCompensation));
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('saga-detail')).toHaveCount(0);
});

test('filters by state with the failed_compensation count one click away, and by name', async ({ page, host }) => {
  await page.goto(host.url);
  await expect(page.getByTestId('failed-compensation-count')).toHaveText('2');
  await page.getByTestId('filter-state-failed_compensation').click();
  await expect(rows(page)).toHaveCount(2);
  for (const state of await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))) {
    expect(state).toBe('failed_compensation');
  }
  await page.getByTestId('filter-state-all').click();
  await page.getByTestId('filter-name').fill('update-app');
  await expect(rows(page)).toHaveCount(15);
  await expect(rows(page).locator('td.name')).toHaveText(Array(15).fill('update-app'));
  await page.getByTestId('filter-name').fill('no-such-saga');
  await expect(page.getByTestId('list-empty')).toBeVisible();
});

test("shows the crashed saga's in-flight step as outcome unknown, named by the recovery banner", async ({ page, host, profile }) => {
  await page.goto(host.url);
  const banner = page.getByTestId('recovery-banner');
  await expect(banner).toBeVisible();
  await expect(banner.getByTestId('banner-title')).toContainText('marked 1 interrupted saga');
  await banner.getByTestId('banner-saga').click();

  const detail = page.getByTestId('saga-detail');
  await expect(detail).toHaveAttribute('data-saga-id', String(profile.ids.interrupted));
  await expect(detail.getByTestId('detail-state')).toHaveText('failed_compensation');
  await expect(detail.getByTestId('detail-reason')).toContainText("step 1 'upload'");
  await expect(detail.getByTestId('detail-reason')).toContainText('outcome unknown');
  const inFlight = detail.locator('[data-testid="step"][data-step-index="1"]');
  await expect(inFlight.getByTestId('step-outcome-unknown')).toBeVisible();
  await expect(inFlight.getByTestId('step-state')).toHaveText('outcome unknown');
  await expect(inFlight.getByTestId('step-target')).toHaveText('host');
  await expect(inFlight.getByTestId('step-generation')).toHaveText('4');
  await expect(inFlight.getByTestId('step-cmd')).toContainText('"op": "upload"');
  // Only the step in flight is marked; the finished one before it is not.
  await expect(detail.getByTestId('step-outcome-unknown')).toHaveCount(1);

  await sagaRow(page, profile.ids.completed[59]!).click();
  const final = page.locator('[data-testid="saga-detail"] [data-testid="step"][data-step-index="2"]');
  await expect(final.getByTestId('step-idempotency-key')).toHaveText(`install-package-${profile.ids.completed[59]}-final`);
});

test('records a review with its note and hides reviewed sagas', async ({ page, host, profile }) => {
  await page.goto(host.url);
  await sagaRow(page, profile.ids.failedCompensation).click();
  const detail = page.getByTestId('saga-detail');
  await detail.getByTestId('review-note').fill('checked the copy on host by hand; removed it');
  await detail.getByTestId('review-submit').click();
  await expect(detail.getByTestId('review-info')).toContainText(`by ${os.userInfo().username}`);
  await expect(detail.getByTestId('review-note-text')).toHaveText('checked the copy on host by hand; removed it');

  await page.getByTestId('filter-state-failed_compensation').click();
  await expect(rows(page)).toHaveCount(2);
  await page.getByTestId('filter-hide-reviewed').check();
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toHaveAttribute('data-saga-id', String(profile.ids.interrupted));

  // The review is in the log, not in the page: a reload still shows it (the filters stay, from the URL).
  await page.reload();
  await expect(page.getByTestId('filter-hide-reviewed')).toBeChecked();
  await expect(rows(page)).toHaveCount(1);
  await page.getByTestId('filter-hide-reviewed').uncheck();
  await sagaRow(page, profile.ids.failedCompensation).click();
  await expect(page.getByTestId('review-note-text')).toHaveText('checked the copy on host by hand; removed it');
});

test('the panel and the launcher page run under their CSP without a single violation', async ({ page, host, profile }) => {
  // zod 4 probes `new Function` when its first object schema is built unless it is jitless; a
  // CSP without 'unsafe-eval' reports that probe even though zod catches the throw.
  const consoleViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|unsafe-eval/i.test(m.text())) consoleViolations.push(m.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const violations = () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);

  await page.goto(host.url);
  await expect(rows(page)).toHaveCount(50);
  await sagaRow(page, profile.ids.interrupted).click();
  await expect(page.getByTestId('saga-detail')).toBeVisible();
  expect(await violations()).toEqual([]);

  await page.goto(`${host.url}launcher.html`);
  await expect(page.getByTestId('launcher-form')).toBeVisible();
  expect(await violations()).toEqual([]);
  expect(consoleViolations).toEqual([]);
});

test('refuses requests without the token, with a wrong token, or for a foreign Host', async ({ request, host }) => {
  const token = new URL(host.url).pathname.split('/')[1]!;
  expect((await request.get(`${host.origin}/`)).status()).toBe(401);
  expect((await request.get(`${host.origin}/panel.js`)).status()).toBe(401);
  expect((await request.get(`${host.origin}/events`)).status()).toBe(401);
  expect((await request.post(`${host.origin}/api/saga:list`, { data: {} })).status()).toBe(401);
  expect((await request.post(`${host.origin}/${'x'.repeat(token.length)}/api/saga:list`, { data: {} })).status()).toBe(401);
  const ok = await request.post(`${host.origin}/api/saga:list`, { data: {}, headers: { Authorization: `Bearer ${token}` } });
  expect(ok.status()).toBe(200);
  expect(ok.headers()['access-control-allow-origin']).toBeUndefined();
  const rebound = await request.get(host.url, { headers: { Host: `attacker.example:${new URL(host.url).port}` } });
  expect(rebound.status()).toBe(421);
  const crossSite = await request.post(`${host.url}api/saga:list`, { data: {}, headers: { Origin: 'http://attacker.example' } });
  expect(crossSite.status()).toBe(403);
});

// Live updates need changes made by the app itself (pushes come from its SagaEvents, not from
// the file), so this spec hosts the same handlers and transport in-process and writes the way
// the coordinator does: a log row, then the event.
test('shows sagas appearing and changing state without a reload', async ({ page }) => {
  const { log, events, server, close } = await startInProcessPanel('panel-live-');
  try {
    await page.goto(server.url);
    await expect(page.getByTestId('list-empty')).toBeVisible();
    // A push sent before the stream is open reaches no one; wait until the panel says it listens.
    await expect(page.getByTestId('live-status')).toHaveAttribute('data-live', 'true');
    const id = log.startSaga({ name: 'live-saga', inputJson: '{}', plannedSteps: 1 });
    events.emit({ sagaId: id, name: 'live-saga', state: 'running', stepIndex: null });
    const row = sagaRow(page, id);
    await expect(row.getByTestId('state-badge')).toHaveText('running');
    await row.click();
    log.startStep({ sagaId: id, stepIndex: 0, name: 'only-step', target: 'self', cmdJson: '{}' });
    events.emit({ sagaId: id, name: 'live-saga', state: 'running', stepIndex: 0 });
    await expect(page.locator('[data-testid="step"][data-step-index="0"]').getByTestId('step-state')).toHaveText('in flight');
    log.finishStep(id, 0, '{"done":true}');
    log.terminate(id, 'completed');
    events.emit({ sagaId: id, name: 'live-saga', state: 'completed', stepIndex: 0 });
    await expect(row.getByTestId('state-badge')).toHaveText('completed');
    await expect(page.getByTestId('detail-state')).toHaveText('completed');
    for (let i = 0; i < 5; i++) {
      const more = log.startSaga({ name: 'burst', inputJson: '{}' });
      events.emit({ sagaId: more, name: 'burst', state: 'running', stepIndex: null });
    }
    await expect(rows(page)).toHaveCount(6);
  } finally {
    await close();
  }
});

interface Relay {
  /** The panel's address through the relay. */
  url: string;
  /** Refuses new connections and cuts the open ones, as a host that went away. */
  down(): Promise<void>;
  /** Listens again on the same port: the host is back at the same address. */
  up(): Promise<void>;
  /** Keeps every connection open and passes nothing either way, as a host that hung. */
  freeze(): void;
  /** Passes on what was held back, and everything after. */
  thaw(): void;
}

/** An HTTP relay in front of the panel server, so the test can take the host away, or hang it, and bring it back. */
async function startRelay(target: PanelServer): Promise<Relay> {
  const upstream = new URL(target.origin);
  let frozen = false;
  const held: (() => void)[] = [];
  const answers = new Map<http.IncomingMessage, http.ServerResponse>();
  const forwardRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    // The server checks Host and Origin against its own address: present the relayed request as its own.
    const headers = { ...req.headers, host: upstream.host };
    if (headers.origin !== undefined) headers.origin = target.origin;
    const forward = http.request({ host: upstream.hostname, port: target.port, path: req.url, method: req.method, headers, agent: false }, (answer) => {
      answers.set(answer, res);
      answer.on('close', () => answers.delete(answer));
      const pass = () => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      };
      if (frozen) {
        answer.pause();
        held.push(pass);
      } else pass();
    });
    forward.on('error', () => res.destroy());
    res.on('close', () => forward.destroy());
    req.pipe(forward);
  };
  const relay = http.createServer((req, res) => {
    if (frozen) held.push(() => forwardRequest(req, res));
    else forwardRequest(req, res);
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      relay.once('error', reject);
      relay.listen(port, '127.0.0.1', () => {
        relay.off('error', reject);
        resolve((relay.address() as AddressInfo).port);
      });
    });
  const port = await listen(0);
  const down = () =>
    new Promise<void>((resolve) => {
      if (!relay.listening) return resolve();
      relay.close(() => resolve());
      relay.closeAllConnections();
    });
  return {
    url: `http://127.0.0.1:${port}/${target.token}/`,
    down,
    up: async () => {
      await listen(port);
    },
    freeze: () => {
      frozen = true;
      for (const [answer, res] of answers) {
        answer.unpipe(res);
        answer.pause();
        held.push(() => answer.pipe(res));
      }
    },
    thaw: () => {
      frozen = false;
      for (const pass of held.splice(0)) pass();
    },
  };
}

test('says reconnecting while the host is away, and catches up on what it missed once it is back', async ({ page }) => {
  const { log, events, server, close } = await startInProcessPanel('panel-reconnect-');
  const relay = await startRelay(server);
  try {
    const first = log.startSaga({ name: 'before-drop', inputJson: '{}', plannedSteps: 1 });
    await page.goto(relay.url);
    const live = page.getByTestId('live-status');
    await expect(live).toHaveAttribute('data-live', 'true');
    await expect(live).toHaveText('live');
    await sagaRow(page, first).click();
    await expect(page.getByTestId('detail-state')).toHaveText('running');

    await relay.down();
    await expect(live).toHaveAttribute('data-live', 'false');
    await expect(live).toHaveText('reconnecting…');
    // Changes made while the panel cannot hear: their pushes reach no one.
    log.terminate(first, 'failed', 'gave up');
    events.emit({ sagaId: first, name: 'before-drop', state: 'failed', stepIndex: null });
    const missed = log.startSaga({ name: 'during-drop', inputJson: '{}' });
    events.emit({ sagaId: missed, name: 'during-drop', state: 'running', stepIndex: null });

    await relay.up();
    await expect(live).toHaveAttribute('data-live', 'true');
    // Reopening reloaded the list, the counts and the open detail, so the missed changes show.
    await expect(sagaRow(page, missed)).toHaveCount(1);
    await expect(sagaRow(page, first).getByTestId('state-badge')).toHaveText('failed');
    await expect(page.getByTestId('detail-state')).toHaveText('failed');
  } finally {
    await relay.down();
    await close();
  }
});

test('stops calling itself live when the host hangs with the connection open, and catches up once it answers again', async ({ page }) => {
  // A short beat so three missed ones pass quickly; the page learns it from the stream's hello.
  const { log, events, server, close } = await startInProcessPanel('panel-hang-', { heartbeatMs: 200 });
  const relay = await startRelay(server);
  try {
    const first = log.startSaga({ name: 'before-hang', inputJson: '{}', plannedSteps: 1 });
    await page.goto(relay.url);
    const live = page.getByTestId('live-status');
    await expect(live).toHaveAttribute('data-live', 'true');
    await expect(sagaRow(page, first)).toHaveCount(1);
    // Beats keep it live well past the silence limit (3 x 200 ms) while the host answers: not one flip.
    await live.evaluate((el) => {
      const flips: string[] = [];
      (window as unknown as { liveFlips: string[] }).liveFlips = flips;
      new MutationObserver(() => flips.push(el.getAttribute('data-live') ?? '')).observe(el, { attributes: true, attributeFilter: ['data-live'] });
    });
    await page.waitForTimeout(1500);
    expect(await page.evaluate(() => (window as unknown as { liveFlips: string[] }).liveFlips)).toEqual([]);

    relay.freeze();
    await expect(live).toHaveAttribute('data-live', 'false');
    await expect(live).toHaveText('reconnecting…');
    const missed = log.startSaga({ name: 'during-hang', inputJson: '{}' });
    events.emit({ sagaId: missed, name: 'during-hang', state: 'running', stepIndex: null });

    relay.thaw();
    await expect(live).toHaveAttribute('data-live', 'true');
    await expect(sagaRow(page, missed)).toHaveCount(1);
  } finally {
    relay.thaw();
    await relay.down();
    await close();
  }
});
