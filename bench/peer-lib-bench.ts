// Part 2b: this engine against a durable-workflow library a user could pick instead, in one
// process, alternating rounds: the same 3-step no-op workflow, each library on its own SQLite file
// in WAL mode with synchronous=NORMAL (a killed process loses nothing committed; an OS crash may
// drop the last commits), each step run in-process.
import path from 'node:path';
import { OpenWorkflow } from 'openworkflow';
import { BackendSqlite } from 'openworkflow/sqlite';
import { SagaLog } from '../src-main/saga/log/saga-log';
import { noopSelfSaga } from '../src-main/workspace-app/noop-sagas';
import { selfOnlyCoordinator } from '../test/engine/helpers';
import type { BenchContext } from './log-bench';
import { median, round } from './stats';

const PEER_LIB = 'openworkflow@0.10.1';

interface PeerLib {
  runOne(): Promise<void>;
  stop(): Promise<void>;
}

/** openworkflow with its sqlite backend (node:sqlite); its worker is ticked directly instead of polling. */
async function openworkflowLib(file: string): Promise<PeerLib> {
  const backend = BackendSqlite.connect(file);
  // Its connection opens WAL with SQLite's default synchronous (FULL); NORMAL is what our log uses.
  (backend as unknown as { db: { exec(sql: string): void } }).db.exec('PRAGMA synchronous = NORMAL');
  const ow = new OpenWorkflow({ backend });
  const noop = ow.defineWorkflow({ name: 'noop3' }, async ({ step }) => {
    await step.run({ name: 'noop_1' }, () => null);
    await step.run({ name: 'noop_2' }, () => null);
    await step.run({ name: 'noop_3' }, () => null);
    return null;
  });
  const worker = ow.newWorker({ concurrency: 1 });
  const active = (worker as unknown as { activeExecutions: Set<unknown> }).activeExecutions;
  return {
    async runOne() {
      const handle = await noop.run({});
      if ((await worker.tick()) !== 1) throw new Error('openworkflow: the worker claimed no run');
      // The worker runs the claimed workflow in the background; its own result() polls every second.
      while (active.size > 0) await new Promise((resolve) => setImmediate(resolve));
      const run = await backend.getWorkflowRun({ workflowRunId: handle.workflowRun.id });
      if (run?.status !== 'completed') throw new Error(`openworkflow run ended ${run?.status}`);
    },
    stop: () => backend.stop(),
  };
}

export async function runPeerLibBench(ctx: BenchContext): Promise<Record<string, number | string>> {
  const workflows = ctx.quick ? 200 : 1000;
  const rounds = ctx.quick ? 5 : 9;
  const log = SagaLog.open(path.join(ctx.dir, 'vs-peer.db'));
  const coordinator = selfOnlyCoordinator(log, { bootId: 'bench' });
  const peer = await openworkflowLib(path.join(ctx.dir, 'openworkflow.db'));
  const ours: number[] = [];
  const theirs: number[] = [];
  const timeOurs = async () => {
    const t0 = performance.now();
    for (let i = 0; i < workflows; i++) {
      const outcome = await coordinator.run(noopSelfSaga, {});
      if (outcome.state !== 'completed') throw new Error(`noop saga ended ${outcome.state}`);
    }
    ours.push((performance.now() - t0) / workflows);
  };
  const timeTheirs = async () => {
    const t0 = performance.now();
    for (let i = 0; i < workflows; i++) await peer.runOne();
    theirs.push((performance.now() - t0) / workflows);
  };
  await timeOurs();
  await timeTheirs();
  ours.length = 0;
  theirs.length = 0;
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      await timeOurs();
      await timeTheirs();
    } else {
      await timeTheirs();
      await timeOurs();
    }
  }
  await coordinator.shutdown(1000);
  log.close();
  await peer.stop();
  const oursMs = median(ours);
  const theirsMs = median(theirs);
  console.log(
    `vs ${PEER_LIB}: 3-step no-op workflow ${(oursMs * 1000).toFixed(0)}us here vs ${(theirsMs * 1000).toFixed(0)}us there (${(oursMs / theirsMs).toFixed(2)}x per step)`,
  );
  return {
    'engine.vs_peer_step_ratio': round(oursMs / theirsMs),
    'engine.peer_lib': `${PEER_LIB} (sqlite backend over node:sqlite; WAL, synchronous=NORMAL on both sides; steps in-process; worker ticked directly)`,
    'engine.peer_step_us': round((theirsMs * 1000) / 3, 1),
    'engine.self_step_us_vs_peer': round((oursMs * 1000) / 3, 1),
    'engine.peer_workflows_per_s': Math.round(1000 / theirsMs),
  };
}
