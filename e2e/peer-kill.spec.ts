// A peer dies in the middle of a step while the user watches: the saga fails and is undone
// live, main stays up, and the panel shows the peer's next generation doing the work.
// A peer is held mid-step with SIGSTOP (a real frozen process: the request sits unanswered
// in its channel), so the SIGKILL lands on a step that is provably in flight.
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { isAlive } from './support/processes';

/**
 * Signals to the test's own peers. Once a peer is SIGKILLed its pid is never signalled again
 * (main reaps it at once and the kernel may hand the pid out anew); `release` kills whatever
 * is still frozen if the spec failed halfway, so no stopped process outlives the test.
 */
function peerSignals() {
  const killed = new Set<number>();
  const frozen = new Set<number>();
  return {
    freeze(pid: number) {
      process.kill(pid, 'SIGSTOP');
      frozen.add(pid);
    },
    thaw(pid: number) {
      process.kill(pid, 'SIGCONT');
      frozen.delete(pid);
    },
    kill(pid: number) {
      process.kill(pid, 'SIGKILL');
      killed.add(pid);
      frozen.delete(pid);
    },
    release() {
      for (const pid of frozen) if (!killed.has(pid)) process.kill(pid, 'SIGKILL');
    },
  };
}

function step(panel: Page, index: number): Locator {
  return panel.locator(`[data-testid="saga-detail"] [data-testid="step"][data-step-index="${index}"]`);
}

async function openWorkspaceFromLauncher(launcher: Page, workspace: string): Promise<void> {
  await launcher.getByTestId('launcher-workspace').fill(workspace);
  await launcher.getByTestId('launcher-open').click();
}

/** Opens the newest saga in the panel (the one the launcher just started) once it lists `count` sagas. */
async function openNewestSaga(panel: Page, count: number): Promise<Locator> {
  await expect(panel.getByTestId('saga-row')).toHaveCount(count);
  const row = panel.getByTestId('saga-row').first();
  await expect(row.locator('td.name')).toHaveText('open_workspace');
  await row.click();
  return panel.getByTestId('saga-detail');
}

test('killing host mid-step: the saga fails and compensates live, the app stays up, the next saga runs on host generation 2', async ({ app }) => {
  const running = await app.launch();
  const panel = await running.panel();
  const launcher = await running.launcher();
  const host = await running.peerPid('host');
  expect(host).not.toBeNull();
  const signals = peerSignals();
  try {
    signals.freeze(host!);
    await openWorkspaceFromLauncher(launcher, 'host-dies');
    const detail = await openNewestSaga(panel, 1);
    await expect(step(panel, 1).getByTestId('step-state')).toHaveText('in flight');
    await expect(step(panel, 1).getByTestId('step-generation')).toHaveText('1');

    signals.kill(host!);
    await expect(detail.getByTestId('detail-state')).toHaveText('failed');
    await expect(step(panel, 1).getByTestId('step-state')).toHaveText('failed');
    await expect(step(panel, 1).getByTestId('step-reason')).toContainText(`peer host (generation 1, pid ${host}) exited`);
    // The undo of step 0 ran on srv, recorded as row 2, and step 0 is marked undone.
    await expect(step(panel, 0).getByTestId('step-state')).toHaveText('compensated');
    await expect(step(panel, 2).getByTestId('step-name')).toHaveText('undo create_workspace');
    await expect(step(panel, 2).getByTestId('step-state')).toHaveText('succeeded');
    await expect(launcher.getByTestId('launcher-results')).toContainText('open_workspace host-dies: failed');
  } finally {
    signals.release();
  }

  expect(isAlive(running.pid), 'main survives a peer crash').toBe(true);
  await openWorkspaceFromLauncher(launcher, 'host-is-back');
  await expect(launcher.getByTestId('launcher-results').locator('li').first()).toContainText('open_workspace host-is-back: completed');
  await openNewestSaga(panel, 2);
  await expect(step(panel, 1).getByTestId('step-state')).toHaveText('succeeded');
  await expect(step(panel, 1).getByTestId('step-generation')).toHaveText('2');
  expect(await running.peerPid('host')).not.toBe(host);
  expect(await running.stop()).toEqual({ code: 0, signal: null });
});

test('killing srv mid-step: the saga fails, its undos run live, and the panel shows srv generation 2 undoing step 0', async ({ app }) => {
  const running = await app.launch();
  const panel = await running.panel();
  const launcher = await running.launcher();
  const host = await running.peerPid('host');
  const srv = await running.peerPid('srv');
  expect(host).not.toBeNull();
  expect(srv).not.toBeNull();
  const signals = peerSignals();
  try {
    // Hold the saga at step 1 (host) while srv is frozen, so the final step (srv) is the one in flight.
    signals.freeze(host!);
    await openWorkspaceFromLauncher(launcher, 'srv-dies');
    const detail = await openNewestSaga(panel, 1);
    await expect(step(panel, 1).getByTestId('step-state')).toHaveText('in flight');
    signals.freeze(srv!);
    signals.thaw(host!);
    await expect(step(panel, 3).getByTestId('step-state')).toHaveText('in flight');
    await expect(step(panel, 3).getByTestId('step-target')).toHaveText('srv');

    signals.kill(srv!);
    await expect(detail.getByTestId('detail-state')).toHaveText('failed');
    await expect(step(panel, 3).getByTestId('step-reason')).toContainText(`peer srv (generation 1, pid ${srv}) exited`);
    // Undone newest first: self's view (row 4), host's session (row 5), srv's workspace (row 6).
    await expect(step(panel, 4).getByTestId('step-name')).toHaveText('undo register_panel_view');
    await expect(step(panel, 5).getByTestId('step-name')).toHaveText('undo start_session');
    await expect(step(panel, 6).getByTestId('step-name')).toHaveText('undo create_workspace');
    await expect(step(panel, 6).getByTestId('step-state')).toHaveText('succeeded');
    await expect(step(panel, 6).getByTestId('step-generation')).toHaveText('2');
    for (const undone of [0, 1, 2]) await expect(step(panel, undone).getByTestId('step-state')).toHaveText('compensated');
  } finally {
    signals.release();
  }
  expect(isAlive(running.pid), 'main survives a peer crash').toBe(true);
  expect(await running.peerPid('srv')).not.toBe(srv);
  expect(await running.stop()).toEqual({ code: 0, signal: null });
});
