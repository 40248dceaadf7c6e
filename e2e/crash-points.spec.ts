// Kill the app at each durable write point of open_workspace (srv -> host -> self -> srv),
// relaunch, and check that the panel, the recovery banner and diag all say what happened,
// and that a further relaunch changes nothing.
import { type Page } from '@playwright/test';
import type { DiagDocument } from '../src-main/cli/diag';
import { expect, test } from './fixtures';

interface InFlight {
  stepIndex: number;
  name: string;
  target: 'self' | 'host' | 'srv';
}

interface CrashCase {
  at: string;
  what: string;
  failLastStep: boolean;
  /** The step recovery names as in flight, or null when the kill fell between steps. */
  inFlight: InFlight | null;
  previousState: 'running' | 'compensating';
  /** How the recovery reason places the kill. */
  reason: RegExp;
  /** Step rows as the log must hold them after recovery, by index. */
  steps: string[];
  /** What reconciliation records on the in-flight step (host and self keep no atomic receipts). */
  reconciled?: 'applied' | 'not_applied' | 'unknown';
}

const CASES: CrashCase[] = [
  {
    // Step 0's outcome commits with step 1's pending row, so before that commit step 0 is still pending.
    at: 'open_workspace:1:before_pending',
    what: 'before step 1 (host) is recorded, with step 0 (srv) replied but not yet written',
    failLastStep: false,
    inFlight: { stepIndex: 0, name: 'create_workspace', target: 'srv' },
    previousState: 'running',
    reason: /during step 0 'create_workspace' \(target srv, peer generation 1, outcome unknown\)/,
    steps: ['pending'],
  },
  {
    at: 'open_workspace:1:after_pending',
    what: 'after step 1 (host) is recorded pending, before it is sent',
    failLastStep: false,
    inFlight: { stepIndex: 1, name: 'start_session', target: 'host' },
    previousState: 'running',
    reason: /during step 1 'start_session' \(target host, peer generation 1, outcome unknown\)/,
    steps: ['succeeded', 'pending'],
    reconciled: 'unknown',
  },
  {
    at: 'open_workspace:2:after_dispatch',
    what: 'after step 2 (self) ran, before its outcome is written',
    failLastStep: false,
    inFlight: { stepIndex: 2, name: 'register_panel_view', target: 'self' },
    previousState: 'running',
    reason: /during step 2 'register_panel_view' \(target self, outcome unknown\)/,
    steps: ['succeeded', 'succeeded', 'pending'],
    reconciled: 'unknown',
  },
  {
    // One commit: step 2 succeeded and step 3 pending, never sent.
    at: 'open_workspace:2:after_outcome',
    what: 'after step 2 (self) is written succeeded, which also records step 3 (srv) pending',
    failLastStep: false,
    inFlight: { stepIndex: 3, name: 'publish_workspace', target: 'srv' },
    previousState: 'running',
    reason: /during step 3 'publish_workspace' \(target srv, peer generation 1, outcome unknown\)/,
    steps: ['succeeded', 'succeeded', 'succeeded', 'pending'],
  },
  {
    // A failed step's outcome commits alone; the saga is not yet compensating.
    at: 'open_workspace:3:after_outcome',
    what: 'after the final step (srv) is written failed, before the saga is marked compensating',
    failLastStep: true,
    inFlight: null,
    previousState: 'running',
    reason: /between steps: step 3 'publish_workspace' failed, no step in flight/,
    steps: ['succeeded', 'succeeded', 'succeeded', 'failed'],
  },
  {
    at: 'open_workspace:1:during_compensation',
    what: 'while undoing step 1 (host) after the last step failed',
    failLastStep: true,
    inFlight: { stepIndex: 5, name: 'undo start_session', target: 'host' },
    previousState: 'compensating',
    reason: /interrupted while compensating .*during compensation step 5 'undo start_session' of step 1 \(target host, peer generation 1, outcome unknown\)/,
    // 0-2 done, 3 failed, 4 undid step 2 (so step 2 is compensated), 5 the undo of step 1 in flight.
    steps: ['succeeded', 'succeeded', 'compensated', 'failed', 'succeeded', 'pending'],
    reconciled: 'unknown',
  },
];

function sagaIn(doc: DiagDocument, sagaId: number) {
  const saga = doc.sagas.find((s) => s.sagaId === sagaId);
  if (!saga) throw new Error(`saga ${sagaId} is not in diag's output`);
  return saga;
}

async function expectPanelShowsCrash(panel: Page, sagaId: number, c: CrashCase): Promise<void> {
  const banner = panel.getByTestId('recovery-banner');
  await expect(banner.getByTestId('banner-title')).toContainText('marked 1 interrupted saga');
  await expect(banner).toContainText(c.reason);
  await banner.locator(`[data-testid="banner-saga"][data-saga-id="${sagaId}"]`).click();

  const detail = panel.getByTestId('saga-detail');
  await expect(detail).toHaveAttribute('data-saga-id', String(sagaId));
  await expect(detail.getByTestId('detail-state')).toHaveText('failed_compensation');
  await expect(detail.getByTestId('detail-reason')).toContainText(c.reason);
  const rows = detail.getByTestId('step');
  await expect(rows).toHaveCount(c.steps.length);
  if (c.inFlight === null) {
    await expect(detail.getByTestId('step-outcome-unknown')).toHaveCount(0);
  } else {
    // Exactly the step in flight is marked, and it is the one recovery named.
    await expect(detail.getByTestId('step-outcome-unknown')).toHaveCount(1);
    const step = detail.locator(`[data-testid="step"][data-step-index="${c.inFlight.stepIndex}"]`);
    await expect(step.getByTestId('step-outcome-unknown')).toBeVisible();
    await expect(step.getByTestId('step-name')).toHaveText(c.inFlight.name);
    await expect(step.getByTestId('step-target')).toHaveText(c.inFlight.target);
    if (c.reconciled) await expect(step.getByTestId('step-reconciled')).toHaveAttribute('data-answer', c.reconciled);
  }
  await expect(panel.locator(`[data-testid="saga-row"][data-saga-id="${sagaId}"] [data-testid="state-badge"]`)).toHaveText('failed_compensation');
}

for (const c of CASES) {
  test(`killed ${c.what} (${c.at}): the relaunched panel shows it and diag agrees`, async ({ app, diag }) => {
    const crashing = await app.launch({ crashAt: c.at });
    expect(crashing.livePeers().length, 'host and srv run before the kill').toBeGreaterThanOrEqual(2);
    const answer = crashing.runSaga({ saga: 'open_workspace', workspace: 'crash-me', failLastStep: c.failLastStep });

    // The app kills itself at the crash point; the saga never gets an answer.
    expect(await crashing.exited()).toEqual({ code: null, signal: 'SIGKILL' });
    expect((await answer).ok).toBe(false);
    expect(await crashing.peersLeft(), 'no peer outlives main').toEqual([]);

    const relaunched = await app.launch();
    // Reconciliation runs after the launch, in the background: wait for its answer to be recorded.
    if (c.reconciled) {
      await expect
        .poll(async () => (await diag()).sagas[0]?.steps.find((s) => s.stepIndex === c.inFlight!.stepIndex)?.reconciliation?.answer)
        .toBe(c.reconciled);
    }
    const doc = await diag();
    expect(doc.counts.unresolved).toBe(0);
    expect(doc.sagas).toHaveLength(1);
    const saga = sagaIn(doc, doc.sagas[0]!.sagaId);
    expect(saga.name).toBe('open_workspace');
    expect(saga.state).toBe('failed_compensation');
    expect(saga.failureReason).toMatch(c.reason);
    expect(saga.steps.map((s) => s.state)).toEqual(c.steps);
    expect(saga.inFlightStep === null ? null : { stepIndex: saga.inFlightStep.stepIndex, name: saga.inFlightStep.name, target: saga.inFlightStep.target }).toEqual(c.inFlight);
    // The saga's reason is recovery's, then what reconciliation learned, appended.
    const [recovered] = doc.latestRecovery?.marked ?? [];
    expect(doc.latestRecovery?.marked).toEqual([expect.objectContaining({ sagaId: saga.sagaId, previousState: c.previousState })]);
    if (c.reconciled) expect(saga.failureReason!.startsWith(`${recovered!.reason}; reconciliation: step ${c.inFlight!.stepIndex} `)).toBe(true);
    // Reconciliation may append what a peer's receipts say about the in-flight step; recovery's words come first.
    else expect(saga.failureReason!.startsWith(recovered!.reason!)).toBe(true);

    await expectPanelShowsCrash(await relaunched.panel(), saga.sagaId, c);
    expect(await relaunched.stop()).toEqual({ code: 0, signal: null });

    // Recovery already ran: one more launch finds nothing to mark and changes nothing.
    const again = await app.launch();
    const after = await diag();
    expect(after.sagas).toEqual(doc.sagas);
    expect(after.latestRecovery).toEqual(doc.latestRecovery);
    expect(await again.stop()).toEqual({ code: 0, signal: null });
  });
}
