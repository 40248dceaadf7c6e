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
  const timeEngine = async () => {
    const t0 = performance.now();
    for (let i = 0; i < sagas; i++) {
      const outcome = await coordinator.run(noopSelfSaga, {});
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
  const perSaga = median(engineMs);
  const floor = median(floorMs);

  // Through real forked host and srv processes: one saga at a time, so the figure is a round trip.
  const userDataDir = path.join(ctx.dir, 'peers-profile');
  fs.mkdirSync(userDataDir);
  const app = workspaceApp({ peersDir: path.join(distDir, 'peers') });
  const engine = await startSagaSubsystem({ ...app.subsystem({ userDataDir }), userDataDir, retention: false });
  const peerSagas = ctx.quick ? 100 : 300;
  for (let i = 0; i < 20; i++) await engine.coordinator.run(noopPeersSaga, {}); // warm both peers
  const peerStepMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < peerSagas; i++) {
      const outcome = await engine.coordinator.run(noopPeersSaga, {});
      if (outcome.state !== 'completed') throw new Error(`peer saga ended ${outcome.state}: ${outcome.failureReason}`);
    }
    peerStepMs.push((performance.now() - t0) / peerSagas / 3);
  }
  // "Compensate now" of a 4-step open_workspace left failed_compensation with steps 0-2 applied
  // (its last step and every live undo were made to fail): three undos through srv, host and self.
  const plan = new FaultPlan(userDataDir);
  const failAll = { publish_workspace: 'error', delete_workspace: 'error', stop_session: 'error', unregister_panel_view: 'error' } as const;
  const compensateMs: number[] = [];
  for (let r = 0; r < rounds + 1; r++) {
    const left = await runWithFaults(engine, plan, openWorkspace, { name: `bench-${r}`, owner: 'bench' }, failAll);
    if (left.state !== 'failed_compensation') throw new Error(`setup saga ended ${left.state}`);
    const t0 = performance.now();
    const out = await engine.compensate(left.sagaId, { note: 'bench', operator: 'bench' });
    if (r > 0) compensateMs.push(performance.now() - t0); // the first warms the undo paths
    if (out.state !== 'failed' || out.compensated.length !== 3) throw new Error(`compensate now ended ${out.state}: ${out.failureReason}`);
  }
  await engine.shutdown(1000);
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
