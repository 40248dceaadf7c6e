// "Compensate now" as an operator does it in the panel after a crash: main is killed with
// step 2 of open_workspace in flight, the relaunched panel refuses until the operator confirms
// they checked that step by hand, then undoes steps 1 and 0 through the real peers; srv's own
// store holds no workspace afterwards and the saga ends failed, recorded with who and the note. A
// second crash leaves a host step whose receipt shows it applied: reconciliation says so and the
// panel undoes it without asking for a by-hand check.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { WORKSPACE_STORE_FILE } from '../src-main/workspace-app/workspace-store';
import { type AppLauncher, type RunningApp, expect, test } from './fixtures';

function workspacesIn(profileDir: string): number {
  const db = new Database(path.join(profileDir, WORKSPACE_STORE_FILE), { readonly: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM workspace').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** Runs open_workspace in a launch that SIGKILLs itself at `crashAt`; the saga's answer never comes. */
async function crashMidOpen(app: AppLauncher, crashAt: string, workspace: string): Promise<void> {
  const crashing = await app.launch({ crashAt });
  const answer = crashing.runSaga({ saga: 'open_workspace', workspace, failLastStep: false });
  expect(await crashing.exited()).toEqual({ code: null, signal: 'SIGKILL' });
  expect((await answer).ok).toBe(false);
}

/** The relaunched panel with the first saga its recovery banner names opened in the detail view. */
async function openFirstRecovered(relaunched: RunningApp) {
  const panel = await relaunched.panel();
  await panel.getByTestId('recovery-banner').getByTestId('banner-saga').first().click();
  return { panel, detail: panel.getByTestId('saga-detail') };
}

test('compensate now in the browser: refused while step 2 is unknown, then everything undone once confirmed', async ({ app, diag, profileDir, driver }) => {
  await crashMidOpen(app, 'open_workspace:2:after_pending', 'undo-me');
  expect(workspacesIn(profileDir), "the crash left the workspace in srv's store").toBe(1);

  const relaunched = await app.launch();
  const { panel, detail } = await openFirstRecovered(relaunched);
  await expect(detail.getByTestId('detail-state')).toHaveText('failed_compensation');
  await expect(detail.getByTestId('proof-text'), 'a step in flight: the log proves nothing').toHaveCount(0);

  const note = detail.getByTestId('action-note');
  await detail.getByTestId('compensate-submit').click();
  await expect(detail.getByTestId('action-error')).toContainText('Write a note first');
  await note.fill('main died before the view was registered');
  await detail.getByTestId('compensate-submit').click();
  await expect(detail.getByTestId('action-error')).toContainText("the outcome of step 2 'register_panel_view' (target self) is unknown");
  expect(workspacesIn(profileDir), 'the refusal sent nothing').toBe(1);

  await detail.getByTestId('compensate-confirm').check();
  await detail.getByTestId('compensate-submit').click();
  await expect(detail.getByTestId('detail-state')).toHaveText('failed');
  await expect(detail.getByTestId('detail-reason')).toContainText('compensate now by');
  await expect(detail.getByTestId('detail-reason')).toContainText('undid steps 1, 0');
  await expect(detail.getByTestId('operator-actions')).toContainText('main died before the view was registered');
  await expect(detail.getByTestId('operator-actions')).toContainText('→ failed');
  expect(workspacesIn(profileDir), "no workspace left in srv's store").toBe(0);

  if (driver === 'headless') {
    // The export is the same bounded, redacted document as `diag --saga N --json`.
    const download = panel.waitForEvent('download');
    await detail.getByTestId('export-saga').click();
    const file = await (await download).path();
    const exported = JSON.parse(fs.readFileSync(file, 'utf8')) as { saga: { state: string; actions: { action: string }[] } };
    expect(exported.saga.state).toBe('failed');
    expect(exported.saga.actions.map((a) => a.action)).toEqual(['compensate']);
  }
  expect(await relaunched.stop()).toEqual({ code: 0, signal: null });

  const doc = await diag();
  expect(doc.sagas.map((s) => s.state)).toEqual(['failed']);
  expect(doc.sagas[0]!.steps.map((s) => s.state)).toEqual(['compensated', 'compensated', 'pending', 'succeeded', 'succeeded']);
});

test("compensate now in the browser after reconciliation: host's receipt shows step 1 applied, so it is undone with no box to tick", async ({ app, profileDir }) => {
  // host started the session and wrote its receipt; main died before recording the reply.
  await crashMidOpen(app, 'open_workspace:1:after_dispatch', 'receipt-says');

  const relaunched = await app.launch();
  const { detail } = await openFirstRecovered(relaunched);
  await expect(detail.getByTestId('detail-state')).toHaveText('failed_compensation');
  // The panel is up before reconciliation finishes; its answer arrives as a live update.
  await expect(detail.getByTestId('compensate-known')).toContainText("step 1 'start_session' on host applied: compensate now will undo it");
  await expect(detail.getByTestId('detail-reason')).toContainText("reconciliation: step 1 'start_session' on host was applied");
  await expect(detail.getByTestId('compensate-confirm')).toHaveCount(0);

  await detail.getByTestId('action-note').fill("host's receipt shows the session started");
  await detail.getByTestId('compensate-submit').click();
  await expect(detail.getByTestId('detail-state')).toHaveText('failed');
  await expect(detail.getByTestId('detail-reason')).toContainText('undid steps 1, 0');
  expect(workspacesIn(profileDir), "no workspace left in srv's store").toBe(0);
  expect(await relaunched.stop()).toEqual({ code: 0, signal: null });
});

test("past a final step: srv's receipt shows publish_workspace applied, so the panel offers resolve as completed, not compensate now", async ({ app, profileDir }) => {
  await crashMidOpen(app, 'open_workspace:3:after_dispatch', 'published');

  const relaunched = await app.launch();
  const { detail } = await openFirstRecovered(relaunched);
  await expect(detail.getByTestId('proof-text')).toContainText("with the peer's receipt for step 3 'publish_workspace', shows all 4 steps succeeded");
  await expect(detail.getByTestId('compensate-final')).toContainText("Step 3 'publish_workspace' is final and was applied");
  await expect(detail.getByTestId('compensate-submit')).toBeDisabled();

  await detail.getByTestId('action-note').fill("srv's receipt shows it published");
  await detail.getByTestId('resolve-submit').click();
  await expect(detail.getByTestId('detail-state')).toHaveText('completed');
  expect(workspacesIn(profileDir), 'the published workspace stays').toBe(1);
  expect(await relaunched.stop()).toEqual({ code: 0, signal: null });
});
