// Kill main with SIGKILL at each durable write point of open_workspace (srv, host, self, srv),
// then boot again and check the invariants from the file itself.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { LOG_FILE_NAME } from '../../src-main/index';
import { noopSelfSaga } from '../../src-main/workspace-app/noop-sagas';
import { WORKSPACE_STORE_FILE } from '../../src-main/workspace-app/workspace-store';
import { bootWorkspace, requireBuild } from '../helpers/workspace-boot';
import type { InFlightStep } from '../../src-shared/saga-model';
import { startTs } from '../boot/child';
import { tempDir } from '../helpers/temp-dir';
import { dumpSagaRecords } from './log-fixtures';
import { waitForNoneMarked } from './processes';

const CHILD = path.join(import.meta.dirname, 'fixtures', 'crash-child.ts');
requireBuild();

interface Case {
  at: string;
  /** The demo's fault plan for the saga (op -> fault). */
  faults: Record<string, string>;
  /** State the file holds right after the kill (none: the saga row was never written). */
  stateAtKill: 'running' | 'compensating' | 'completed' | 'none';
  /** Each step row's state at the kill, by index (forward steps then undos). */
  stepsAtKill: string[];
  inFlight: InFlightStep | null;
  /** What recovery writes; null when it has nothing to mark. */
  reason: string | null;
  /** What reconciliation records on the in-flight step, and what its why says. */
  reconciled?: { answer: 'applied' | 'not_applied' | 'unknown'; why: RegExp };
  /** Workspaces named 'ws' srv's own store holds after the kill (read directly). */
  workspaces?: number;
}

// One commit per step: step i's outcome and step i+1's pending row are written together, so
// before_pending of step i+1 still finds step i pending, and after_outcome of step i is also
// after_pending of step i+1 (never sent). The saga row commits with step 0's pending row, and the
// last outcome with `completed`.
const CASES: Case[] = [
  {
    at: 'open_workspace:0:before_pending',
    faults: {},
    stateAtKill: 'none',
    stepsAtKill: [],
    inFlight: null,
    reason: null,
  },
  {
    at: 'open_workspace:0:after_pending',
    faults: {},
    stateAtKill: 'running',
    stepsAtKill: ['pending'],
    inFlight: { stepIndex: 0, name: 'create_workspace', target: 'srv', peerGeneration: 1 },
    reason: "interrupted while running, during step 0 'create_workspace' (target srv, peer generation 1, outcome unknown)",
    // Never sent: srv records create_workspace's receipt with its effect, and holds none.
    reconciled: { answer: 'not_applied', why: /records 'create_workspace' receipts in the same transaction as its effect and holds none/ },
    workspaces: 0,
  },
  {
    at: 'open_workspace:0:after_dispatch',
    faults: {},
    stateAtKill: 'running',
    stepsAtKill: ['pending'],
    inFlight: { stepIndex: 0, name: 'create_workspace', target: 'srv', peerGeneration: 1 },
    reason: "interrupted while running, during step 0 'create_workspace' (target srv, peer generation 1, outcome unknown)",
    reconciled: { answer: 'applied', why: /receipt for 'create_workspace' \(attempt 1, recorded with its effect/ },
    workspaces: 1,
  },
  {
    at: 'open_workspace:1:before_pending',
    faults: {},
    stateAtKill: 'running',
    stepsAtKill: ['pending'],
    inFlight: { stepIndex: 0, name: 'create_workspace', target: 'srv', peerGeneration: 1 },
    reason: "interrupted while running, during step 0 'create_workspace' (target srv, peer generation 1, outcome unknown)",
  },
  {
    at: 'open_workspace:1:after_pending',
    faults: {},
    stateAtKill: 'running',
    stepsAtKill: ['succeeded', 'pending'],
    inFlight: { stepIndex: 1, name: 'start_session', target: 'host', peerGeneration: 1 },
    reason: "interrupted while running, during step 1 'start_session' (target host, peer generation 1, outcome unknown)",
  },
  {
    at: 'open_workspace:1:after_dispatch',
    faults: {},
    stateAtKill: 'running',
    stepsAtKill: ['succeeded', 'pending'],
    inFlight: { stepIndex: 1, name: 'start_session', target: 'host', peerGeneration: 1 },
    reason: "interrupted while running, during step 1 'start_session' (target host, peer generation 1, outcome unknown)",
  },
  {
    at: 'open_workspace:1:after_outcome',
    faults: {},
    stateAtKill: 'running',
    stepsAtKill: ['succeeded', 'succeeded', 'pending'],
    inFlight: { stepIndex: 2, name: 'register_panel_view', target: 'self', peerGeneration: null },
    reason: "interrupted while running, during step 2 'register_panel_view' (target self, outcome unknown)",
  },
  {
    at: 'open_workspace:2:after_pending',
    faults: {},
    stateAtKill: 'running',
    stepsAtKill: ['succeeded', 'succeeded', 'pending'],
    inFlight: { stepIndex: 2, name: 'register_panel_view', target: 'self', peerGeneration: null },
    reason: "interrupted while running, during step 2 'register_panel_view' (target self, outcome unknown)",
  },
  {
    at: 'open_workspace:3:after_dispatch',
    faults: {},
    stateAtKill: 'running',
    stepsAtKill: ['succeeded', 'succeeded', 'succeeded', 'pending'],
    inFlight: { stepIndex: 3, name: 'publish_workspace', target: 'srv', peerGeneration: 1 },
    reason: "interrupted while running, during step 3 'publish_workspace' (target srv, peer generation 1, outcome unknown)",
  },
  {
    at: 'open_workspace:3:after_outcome',
    faults: {},
    stateAtKill: 'completed',
    stepsAtKill: ['succeeded', 'succeeded', 'succeeded', 'succeeded'],
    inFlight: null,
    reason: null,
  },
  {
    // A failed step's outcome commits alone; the saga is not yet marked compensating.
    at: 'open_workspace:2:after_outcome',
    faults: { register_panel_view: 'error' },
    stateAtKill: 'running',
    stepsAtKill: ['succeeded', 'succeeded', 'failed'],
    inFlight: null,
    reason: "interrupted while running, between steps: step 2 'register_panel_view' failed, no step in flight",
  },
  {
    at: 'open_workspace:0:during_compensation',
    faults: { register_panel_view: 'error' },
    stateAtKill: 'compensating',
    stepsAtKill: ['succeeded', 'compensated', 'failed', 'succeeded', 'pending'],
    inFlight: { stepIndex: 4, name: 'undo create_workspace', target: 'srv', peerGeneration: 1 },
    reason:
      `interrupted while compensating (after step 2 'register_panel_view' failed: injected failure of 'register_panel_view' (fault hook)), ` +
      "during compensation step 4 'undo create_workspace' of step 0 (target srv, peer generation 1, outcome unknown)",
  },
];

function readSaga(file: string): { sagaId: number; state: string; steps: string[]; pending: number[] } | null {
  const db = new Database(file, { readonly: true });
  try {
    const saga = db.prepare(`SELECT saga_id AS sagaId, state FROM launcher_saga WHERE name = 'open_workspace'`).get() as
      | { sagaId: number; state: string }
      | undefined;
    if (!saga) return null;
    const steps = db.prepare(`SELECT state FROM launcher_saga_step WHERE saga_id = ? ORDER BY step_index`).pluck().all(saga.sagaId) as string[];
    const pending = steps.flatMap((state, index) => (state === 'pending' ? [index] : []));
    return { ...saga, steps, pending };
  } finally {
    db.close();
  }
}

describe('SIGKILL at each durable write point, then relaunch', { concurrency: 2 }, () => {
  for (const c of CASES) {
    test(c.at, async () => {
      const dir = tempDir('crash-');
      const file = path.join(dir, LOG_FILE_NAME);
      const marker = `LAUNCHER_TEST_MARK=${crypto.randomUUID()}`;
      const [markName, markValue] = marker.split('=') as [string, string];
      const input = { name: 'ws', owner: 'ada', accessToken: 'secret-token' };
      const child = startTs(CHILD, [dir, JSON.stringify(input), JSON.stringify(c.faults)], { LAUNCHER_CRASH_AT: c.at, [markName]: markValue });

      const { signal } = await child.exited;
      assert.equal(signal, 'SIGKILL', `main died by SIGKILL (stdout: ${child.stdout()} stderr: ${child.stderr()})`);
      assert.match(child.stderr(), new RegExp(`crash point ${c.at} reached`));
      assert.match(child.stdout(), /^booted \d+ host=\d+ srv=\d+$/m);
      assert.deepEqual(await waitForNoneMarked(marker, 5000), [], 'no peer or session process outlived main');

      const atKill = readSaga(file);
      assert.equal(atKill?.state ?? 'none', c.stateAtKill);
      assert.deepEqual(atKill?.steps ?? [], c.stepsAtKill);
      assert.deepEqual(atKill?.pending ?? [], c.inFlight ? [c.inFlight.stepIndex] : []);

      const app = await bootWorkspace({ userDataDir: dir, retention: false });
      try {
        if (c.reason === null) {
          assert.deepEqual(app.recovery.marked, [], 'nothing was left running for recovery');
        } else {
          assert.equal(app.recovery.marked.length, 1);
          const [marked] = app.recovery.marked;
          assert.equal(marked?.sagaId, atKill?.sagaId);
          assert.equal(marked?.previousState, c.stateAtKill);
          assert.equal(marked?.reason, c.reason);
          assert.deepEqual(marked?.inFlightStep, c.inFlight);
          await app.reconciliation;
          const after = app.log.saga(atKill!.sagaId);
          assert.equal(after?.state, 'failed_compensation', 'reconciliation leaves the saga as recovery marked it');
          assert.ok(after?.failureReason?.startsWith(c.reason), after?.failureReason ?? '');
          assert.deepEqual(after?.inFlightStep, c.inFlight);
          assert.doesNotMatch(after?.inputJson ?? '', /secret-token/, 'the sensitive input stayed redacted');
          const step = c.inFlight && after?.steps.find((st) => st.stepIndex === c.inFlight!.stepIndex);
          if (c.reconciled) {
            assert.equal(step?.state, 'pending', 'nothing was re-sent');
            assert.equal(step?.reconciliation?.answer, c.reconciled.answer, step?.reconciliation?.why);
            assert.match(step?.reconciliation?.why ?? '', c.reconciled.why);
          }
          if (c.workspaces !== undefined) {
            const db = new Database(path.join(dir, WORKSPACE_STORE_FILE), { readonly: true });
            try {
              assert.equal(db.prepare(`SELECT COUNT(*) FROM workspace WHERE name = 'ws'`).pluck().get(), c.workspaces, "srv's store holds what the answer implies");
            } finally {
              db.close();
            }
          }
        }
      } finally {
        await app.shutdown();
      }
      const afterFirst = dumpSagaRecords(file);
      assert.equal(readSaga(file)?.pending.length ?? 0, c.inFlight ? 1 : 0, 'a pending step stays pending');

      const again = await bootWorkspace({ userDataDir: dir, retention: false });
      try {
        assert.deepEqual(again.recovery.marked, []);
        assert.equal(dumpSagaRecords(file), afterFirst, 'a second recovery changes nothing but the record of which launch owns the log');
        const next = await again.coordinator.run(noopSelfSaga, {});
        assert.ok(next.sagaId > (atKill?.sagaId ?? 0), 'no id is reused');
      } finally {
        await again.shutdown();
      }
    });
  }
});
