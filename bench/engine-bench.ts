// Part 2: what the engine adds to the log's own writes, and a step's cost through real peers.
import fs from 'node:fs';
import path from 'node:path';
import { startSagaSubsystem } from '../src-main/index';
import { workspaceApp } from '../src-main/workspace-app/app';
import { noopPeersSaga, noopSelfSaga } from '../src-main/workspace-app/noop-sagas';
import { FaultPlan } from '../src-main/workspace-app/fault-plan';
import { runWithFaults } from '../src-main/workspace-app/run-with-faults';
import { openWorkspace } from '../src-main/workspace-app/workspace-sagas';
import { selfOnlyCoordinator } from '../test/engine/helpers';
import { SagaLog } from '../src-main/saga/log/saga-log';
import type { BenchContext } from './log-bench';
import { median, round } from './stats';
import { waits } from './wait-monitor';

/** The writes one 3-step self saga makes, straight to the log (one commit per step, plus one): the engine's floor. */
function logOnlySaga(log: SagaLog): void {
  const step = (i: number) => ({ name: `noop_${i + 1}`, target: 'self', kind: 'read_only', cmdJson: '{"op":"noop"}' }) as const;
  const sagaId = log.startSaga({ name: 'noop_self', inputJson: '{}', plannedSteps: 3, bootId: 'bench', firstStep: step(0) });
  for (let i = 0; i < 2; i++) log.finishStepAndStartNext(sagaId, i, '{}', step(i + 1));
  log.finishLastStep(sagaId, 2, '{}');
}

export async function runEngineBench(ctx: BenchContext, distDir: string): Promise<Record<string, number>> {
  const sagas = ctx.quick ? 300 : 1000;
  const rounds = ctx.quick ? 5 : 9;
  const engineLog = SagaLog.open(path.join(ctx.dir, 'engine.db'));
  const floorLog = SagaLog.open(path.join(ctx.dir, 'engine-floor.db'));
  const coordinator = selfOnlyCoordinator(engineLog, { bootId: 'bench' });
  const engineMs: number[] = [];
  const floorMs: number[] = [];
  // Self sagas awaited back to back never leave the microtask queue, so the loop is one long turn
  // of the event loop by construction: what one saga holds the thread is its own wall time, kept here.
  let longestSelfSagaMs = 0;
  const timeEngine = async () => {
    const t0 = performance.now();
    for (let i = 0; i < sagas; i++) {
      const s0 = performance.now();
      const outcome = await coordinator.run(noopSelfSaga, {});
      longestSelfSagaMs = Math.max(longestSelfSagaMs, performance.now() - s0);
      if (outcome.state !== 'completed') throw new Error(`noop saga ended ${outcome.state}`);
    }
    engineMs.push((performance.now() - t0) / sagas);
  };
  const timeFloor = () => {
    const t0 = performance.now();
    for (let i = 0; i < sagas; i++) logOnlySaga(floorLog);
    floorMs.push((performance.now() - t0) / sagas);
  };
  // Both warmed alike, then measured in alternating order so drift and noise hit both sides.
  await timeEngine();
  timeFloor();
  engineMs.length = 0;
  floorMs.length = 0;
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      await timeEngine();
      timeFloor();
    } else {
      timeFloor();
      await timeEngine();
    }
  }
  await coordinator.shutdown(1000);
  engineLog.close();
  floorLog.close();
  waits.record('engine: one 3-step self saga (per-call maximum)', 'served', 'the longest single saga of the back-to-back loop, start to outcome', longestSelfSagaMs);
  const perSaga = median(engineMs);
  const floor = median(floorMs);

  // Through real forked host and srv processes: one saga at a time, so the figure is a round trip.
  const userDataDir = path.join(ctx.dir, 'peers-profile');
  fs.mkdirSync(userDataDir);
  const app = workspaceApp({ peersDir: path.join(distDir, 'peers') });
  const engine = await waits.activity('launch: boot of an empty profile with real peers', 'launch', 'before anything is served', () =>
    startSagaSubsystem({ ...app.subsystem({ userDataDir }), userDataDir, retention: false }),
  );
  const peerSagas = ctx.quick ? 100 : 300;
  for (let i = 0; i < 20; i++) await engine.coordinator.run(noopPeersSaga, {}); // warm both peers
  const peerStepMs: number[] = [];
  await waits.activity('engine: sagas through real host and srv peers', 'served', '', async () => {
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      for (let i = 0; i < peerSagas; i++) {
        const outcome = await engine.coordinator.run(noopPeersSaga, {});
        if (outcome.state !== 'completed') throw new Error(`peer saga ended ${outcome.state}: ${outcome.failureReason}`);
      }
      peerStepMs.push((performance.now() - t0) / peerSagas / 3);
    }
  });
  // "Compensate now" of a 4-step open_workspace left failed_compensation with steps 0-2 applied
  // (its last step and every live undo were made to fail): three undos through srv, host and self.
  const plan = new FaultPlan(userDataDir);
  const failAll = { publish_workspace: 'error', delete_workspace: 'error', stop_session: 'error', unregister_panel_view: 'error' } as const;
  const compensateMs: number[] = [];
  for (let r = 0; r < rounds + 1; r++) {
    const left = await runWithFaults(engine, plan, openWorkspace, { name: `bench-${r}`, owner: 'bench' }, failAll);
    if (left.state !== 'failed_compensation') throw new Error(`setup saga ended ${left.state}`);
    const t0 = performance.now();
    const out = await waits.activity('ops: compensate now through real peers', 'served', '', () => engine.compensate(left.sagaId, { note: 'bench', operator: 'bench' }));
    if (r > 0) compensateMs.push(performance.now() - t0); // the first warms the undo paths
    if (out.state !== 'failed' || out.compensated.length !== 3) throw new Error(`compensate now ended ${out.state}: ${out.failureReason}`);
  }
  await waits.activity('shutdown: an orderly stop with real peers', 'served', '', () => engine.shutdown(1000));
  const logStepMs = floor / 3;
  console.log(
    `engine: self saga ${(perSaga * 1000).toFixed(0)}us vs its log writes ${(floor * 1000).toFixed(0)}us; peer step ${median(peerStepMs).toFixed(3)}ms vs log-only step ${logStepMs.toFixed(3)}ms; compensate now ${median(compensateMs).toFixed(2)}ms`,
  );
  return {
    'engine.self_step_overhead_ratio': round(perSaga / floor),
    'engine.self_sagas_per_s': Math.round(1000 / perSaga),
    'engine.log_only_step_ms': round(logStepMs, 4),
    'engine.peer_step_ms': round(median(peerStepMs)),
    'ops.compensate_now_ms': round(median(compensateMs)),
  };
}
