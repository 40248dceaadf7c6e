// The crash-point matrix, generated from the sagas the workspace app registers: every saga, every
// step, every forward crash point; `during_compensation` for every undo (the saga's last step is
// made to fail so every compensatable step before it is undone); and the points inside the next
// launch's reconciliation and inside "compensate now". Each case says where main dies and what
// the log must hold then, so the test checks the prediction, not just whatever it finds.
import type { SagaDefinition } from '../../../src-main/index';
import type { CrashPointName } from '../../../src-main/saga/crash-points';
import type { SagaFaults } from '../../../src-main/workspace-app/fault-plan';

export interface Launch {
  /** `run` runs the saga; the others relaunch on the same profile (see fixtures/matrix-child.ts). */
  mode: 'run' | 'reconcile' | 'compensate';
  crashAt: string;
  /** What the log holds for the saga right after this kill. */
  state: 'none' | 'running' | 'compensating' | 'failed_compensation' | 'completed';
  /** The row left `pending` (forward step or undo row), if any. */
  inFlight: number | null;
  /** Whether that row's command reached its target (so a peer holds a receipt for it). */
  sent: boolean;
}

export interface MatrixCase {
  name: string;
  saga: SagaDefinition<unknown>;
  faults: SagaFaults;
  /** The launches that die, in order; the test then relaunches twice itself. */
  kills: Launch[];
}

const FORWARD_POINTS = ['before_pending', 'after_pending', 'after_dispatch', 'after_outcome'] as const satisfies readonly CrashPointName[];

/** Where main is when it dies at `point` of step i, with no fault planned. */
function forwardKill(def: SagaDefinition<unknown>, i: number, point: (typeof FORWARD_POINTS)[number]): Launch {
  const crashAt = `${def.name}:${i}:${point}`;
  const last = def.steps.length - 1;
  switch (point) {
    case 'before_pending':
      // Step i-1 replied, but its outcome commits with step i's pending row: step i-1 stays in flight.
      return i === 0 ? { mode: 'run', crashAt, state: 'none', inFlight: null, sent: false } : { mode: 'run', crashAt, state: 'running', inFlight: i - 1, sent: true };
    case 'after_pending':
      return { mode: 'run', crashAt, state: 'running', inFlight: i, sent: false };
    case 'after_dispatch':
      return { mode: 'run', crashAt, state: 'running', inFlight: i, sent: true };
    case 'after_outcome':
      return i === last ? { mode: 'run', crashAt, state: 'completed', inFlight: null, sent: false } : { mode: 'run', crashAt, state: 'running', inFlight: i + 1, sent: false };
  }
}

/** The compensatable steps, newest first: the order every undo runs in. */
function undoOrder(def: SagaDefinition<unknown>): number[] {
  return def.steps.flatMap((s, i) => (s.kind === 'compensatable' ? [i] : [])).reverse();
}

export function matrixCases(sagas: readonly SagaDefinition<unknown>[]): MatrixCase[] {
  const cases: MatrixCase[] = [];
  for (const def of sagas) {
    const n = def.steps.length;
    const last = n - 1;
    for (let i = 0; i < n; i += 1) {
      for (const point of FORWARD_POINTS) {
        const kill = forwardKill(def, i, point);
        cases.push({ name: kill.crashAt, saga: def, faults: {}, kills: [kill] });
      }
      // Reconciliation of step i after it was sent and main died before its outcome was written.
      const sent = forwardKill(def, i, 'after_dispatch');
      cases.push({
        name: `${def.name}:${i}:reconcile_answered`,
        saga: def,
        faults: {},
        kills: [sent, { mode: 'reconcile', crashAt: `${def.name}:${i}:reconcile_answered`, state: 'failed_compensation', inFlight: i, sent: true }],
      });
    }
    const undos = undoOrder(def);
    if (undos.length === 0 || undos[0]! >= last) continue;
    // The last step fails (its outcome commits alone, nothing in flight); every compensatable step before it is undone.
    const fail: SagaFaults = { [`#${last}`]: 'error' };
    const failed: Launch = { mode: 'run', crashAt: `${def.name}:${last}:after_outcome`, state: 'running', inFlight: null, sent: false };
    cases.push({ name: `${def.name}:${last}:after_outcome (failed)`, saga: def, faults: fail, kills: [failed] });
    undos.forEach((k, position) => {
      // Undo rows are appended after the forward rows, in the order the undos run.
      const row = n + position;
      cases.push({
        name: `${def.name}:${k}:during_compensation`,
        saga: def,
        faults: fail,
        kills: [{ mode: 'run', crashAt: `${def.name}:${k}:during_compensation`, state: 'compensating', inFlight: row, sent: false }],
      });
      // "Compensate now" after the failed last step: the same undos, run by the operator's action.
      cases.push({
        name: `${def.name}:${k}:compensate_now_undo_pending`,
        saga: def,
        faults: fail,
        kills: [failed, { mode: 'compensate', crashAt: `${def.name}:${k}:compensate_now_undo_pending`, state: 'compensating', inFlight: row, sent: false }],
      });
      cases.push({
        name: `${def.name}:${k}:compensate_now_undo_outcome`,
        saga: def,
        faults: fail,
        kills: [failed, { mode: 'compensate', crashAt: `${def.name}:${k}:compensate_now_undo_outcome`, state: 'compensating', inFlight: null, sent: false }],
      });
    });
  }
  return cases;
}
