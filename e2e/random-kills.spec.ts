// Kill the app at random moments while it runs many sagas at once, twenty times over, and
// after every relaunch check from the log itself (diag) that nothing was lost, nothing was
// left running, no id was used twice, and no peer outlived the main process it belonged to.
import type { DiagDocument } from '../src-main/cli/diag';
import { expect, test } from './fixtures';

const CYCLES = 20;
const CONCURRENCY = 6;
const UNFINISHED = new Set(['running', 'compensating']);

const byId = (doc: DiagDocument) => new Map(doc.sagas.map((s) => [s.sagaId, s]));
const randomInt = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

test(`${CYCLES} kills at random moments while ${CONCURRENCY} sagas run at once: every relaunch leaves the log whole`, async ({ app, diag }) => {
  // A bound against a hang, not a speed goal: 20 launches, kills and diag reads on a shared 2-core machine.
  test.setTimeout(300_000);
  /** Every saga ever seen, as "name startedAt": an id that comes back must be the same saga. */
  const identity = new Map<number, string>();
  let maxSeenId = 0;
  let countedBeforeKill: DiagDocument | null = null;
  let leftByKill: DiagDocument | null = null;
  let markedTotal = 0;

  for (let cycle = 0; ; cycle++) {
    const running = await app.launch();
    // Read before any new saga starts: this is what recovery made of the previous kill.
    const relaunched = await diag();

    expect(new Set(relaunched.sagas.map((s) => s.sagaId)).size, 'no id appears twice').toBe(relaunched.sagas.length);
    expect(relaunched.sagas.filter((s) => UNFINISHED.has(s.state)), `cycle ${cycle}: nothing left running or compensating`).toEqual([]);
    expect(relaunched.counts.unresolved).toBe(0);
    for (const s of relaunched.sagas) {
      const who = `${s.name} ${s.startedAt}`;
      expect(identity.get(s.sagaId) ?? who, `saga ${s.sagaId} is the same saga it was`).toBe(who);
    }

    if (countedBeforeKill && leftByKill) {
      const now = byId(relaunched);
      for (const s of countedBeforeKill.sagas) expect(now.has(s.sagaId), `saga ${s.sagaId}, counted before the kill, is still there`).toBe(true);
      expect(relaunched.sagas).toHaveLength(leftByKill.sagas.length);
      // Exactly what the kill left unfinished was marked; everything else is as the kill left it.
      const interrupted = leftByKill.sagas.filter((s) => UNFINISHED.has(s.state)).map((s) => s.sagaId);
      for (const s of leftByKill.sagas) {
        expect(now.get(s.sagaId)?.state, `saga ${s.sagaId} (${s.state} at the kill)`).toBe(UNFINISHED.has(s.state) ? 'failed_compensation' : s.state);
      }
      if (interrupted.length > 0) {
        expect(relaunched.latestRecovery?.marked.map((m) => m.sagaId).sort((a, b) => a - b)).toEqual(interrupted.sort((a, b) => a - b));
      } else {
        expect(relaunched.latestRecovery).toEqual(leftByKill.latestRecovery);
      }
      markedTotal += interrupted.length;
    }
    for (const s of relaunched.sagas) identity.set(s.sagaId, `${s.name} ${s.startedAt}`);
    maxSeenId = Math.max(maxSeenId, ...relaunched.sagas.map((s) => s.sagaId));

    if (cycle === CYCLES) {
      // The panel of the last launch agrees with the log.
      const panel = await running.panel();
      await expect(panel.getByTestId('failed-compensation-count')).toHaveText(String(relaunched.counts.failedCompensation));
      expect(await running.stop()).toEqual({ code: 0, signal: null });
      break;
    }

    expect(running.livePeers().length, 'host and srv run before the kill').toBeGreaterThanOrEqual(2);
    const workload = running.startWorkload(CONCURRENCY);
    await workload.reached(randomInt(2, 10));
    countedBeforeKill = await diag();
    // The random moment itself: somewhere in the next 150 ms of steps, undos and writes.
    await new Promise((r) => setTimeout(r, randomInt(0, 150)));
    expect(await running.kill()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await running.peersLeft(), `cycle ${cycle}: no peer outlives main`).toEqual([]);
    leftByKill = await diag();

    for (const s of leftByKill.sagas) {
      // New ids only ever grow: an id is never handed out again after a restart.
      if (!identity.has(s.sagaId)) expect(s.sagaId, `new saga ${s.sagaId} after ids up to ${maxSeenId}`).toBeGreaterThan(maxSeenId);
    }
    for (const s of leftByKill.sagas) identity.set(s.sagaId, `${s.name} ${s.startedAt}`);
  }
  // The kills must have landed on live sagas, or the checks above proved nothing.
  expect(markedTotal, 'sagas interrupted across all kills').toBeGreaterThan(CYCLES / 2);
});
