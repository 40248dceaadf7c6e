// Part 3: a launch's open + recovery over a large log with 1,000 interrupted sagas, its peak
// memory, and the size of a log holding 1,000 finished sagas with typical payloads.
import fs from 'node:fs';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { openLog } from '../src-main/boot/open-log';
import { spawnForkPeer } from '../src-main/peers/fork-peer';
import { Peers } from '../src-main/peers/peers';
import { reconcile } from '../src-main/saga/reconciliation';
import { scheduleRetention } from '../src-main/boot/retention';
import { SagaLog } from '../src-main/saga/log/saga-log';
import { runRecovery } from '../src-main/saga/recovery';
import type { BenchContext } from './log-bench';
import { buildLargeLog } from './large-log';
import { measureSize1000 } from './size-bench';
import { median, percentile, round } from './stats';
import { LogCheckpointer } from '../src-main/saga/log/checkpointer';
import { timeToReady } from './ready-bench';
import { waits } from './wait-monitor';

/**
 * Retention's speed when many sagas must be kept: `kept` unreviewed failed_compensation sagas
 * (the oldest ids) ahead of `prunable` old completed ones, 5 steps each. Returns sagas deleted per second.
 */
export async function retentionWithKeptRows(dir: string, kept: number, prunable: number): Promise<number> {
  const file = path.join(dir, `kept-${kept}.db`);
  buildLargeLog(file, { sagas: kept + prunable, interrupted: 0, stepsPerSaga: 5 });
  const setUp = SagaLog.open(file);
  setUp.close();
  // Raw SQL only to shape the fixture: the product never writes outside SagaLog.
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(file);
  db.prepare(`UPDATE launcher_saga SET state = 'failed_compensation', failure_reason = 'an undo failed' WHERE saga_id <= ?`).run(kept);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const log = SagaLog.open(file);
  // As a launch runs it: checkpoints and the vacuum in the worker.
  const checkpointer = new LogCheckpointer(log);
  if (!(await checkpointer.ready)) throw new Error('the checkpoint worker did not start');
  const retention = scheduleRetention(log, { maxAgeDays: 0, keepNewest: 0 }, undefined, undefined, checkpointer);
  const t0 = performance.now();
  const pass = await waits.activity('retention: a pass behind kept sagas', 'served', '', () => retention.runNow());
  const seconds = (performance.now() - t0) / 1000;
  await retention.stop();
  await checkpointer.stop();
  const left = log.countInState('failed_compensation');
  log.close();
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}-wal`, { force: true });
  fs.rmSync(`${file}-shm`, { force: true });
  if (pass.deleted !== prunable || left !== kept) throw new Error(`retention deleted ${pass.deleted} of ${prunable} and kept ${left} of ${kept}`);
  return pass.deleted / seconds;
}

/**
 * Reconciliation as a launch runs it after recovery: 1,000 interrupted sagas, each with its in-flight
 * step on host or srv (half each), asked of the real peers and every answer recorded. Returns ms.
 */
export async function reconcileOnce(dir: string, distDir: string): Promise<number> {
  fs.mkdirSync(dir);
  // The peers start first, as in a launch before the crash: their receipt stores predate the steps.
  const peers = await Peers.start({
    peers: { host: { entry: path.join(distDir, 'peers', 'host.js') }, srv: { entry: path.join(distDir, 'peers', 'srv.js') } },
    userDataDir: dir,
    spawnPeer: spawnForkPeer,
  });
  const log = SagaLog.open(path.join(dir, 'launcher-sagas.db'));
  try {
    for (let i = 0; i < 1000; i++) {
      const sagaId = log.startSaga({ name: 'open_workspace', inputJson: `{"name":"w${i}"}`, plannedSteps: 4, bootId: 'before-crash' });
      const onSrv = i % 2 === 0;
      const op = onSrv ? 'create_workspace' : 'start_session';
      log.startStep({ sagaId, stepIndex: 0, name: op, target: onSrv ? 'srv' : 'host', kind: 'compensatable', cmdJson: JSON.stringify({ op, name: `w${i}` }), peerGeneration: 1 });
    }
    const marked = (await waits.activity('launch: recovery of 1,000 interrupted sagas (small log)', 'launch', 'before anything is served', () => runRecovery(log, { bootId: 'bench-reconcile', movedAside: [] }))).marked.length;
    if (marked !== 1000) throw new Error(`recovery marked ${marked} sagas, expected 1000`);
    const t0 = performance.now();
    const report = await waits.activity('reconciliation: 1,000 in-flight steps asked of real peers and recorded', 'served', '', () => reconcile(log, peers));
    const ms = performance.now() - t0;
    if (report.asked !== 1000 || report.recorded !== 1000) throw new Error(`reconciliation asked ${report.asked} and recorded ${report.recorded} of 1000 steps`);
    return ms;
  } finally {
    log.close();
    await peers.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runBootBench(ctx: BenchContext, distDir: string): Promise<Record<string, number | string>> {
  const source = ctx.largeLogFile();
  const rounds = ctx.quick ? 3 : 5;
  const recoveryMs: number[] = [];
  const openRecoverMs: number[] = [];
  let marked = 0;
  for (let r = 0; r < rounds; r++) {
    // Each round recovers a pristine copy: recovery's second run on one file would do nothing.
    const dir = path.join(ctx.dir, `boot-${r}`);
    fs.mkdirSync(dir);
    fs.copyFileSync(source, path.join(dir, 'launcher-sagas.db'));
    // Launch-time recovery runs before the window, IPC or any saga exists: nothing is served that
    // could wait on it, so it is one transaction (not slices) and its cost shows in boot.time_to_ready_ms.
    const { t0, t1, t2, report } = await waits.activity('launch: open + recovery of 1,000 interrupted sagas in the large log', 'launch', 'before anything is served', () => {
      const t0 = performance.now();
      const { log, movedAside } = openLog(dir);
      const t1 = performance.now();
      const report = runRecovery(log, { bootId: `bench-${r}`, movedAside });
      const t2 = performance.now();
      log.close();
      return { t0, t1, t2, report };
    });
    marked = report.marked.length;
    recoveryMs.push(t2 - t1);
    openRecoverMs.push(t2 - t0);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (marked !== 1000) throw new Error(`recovery marked ${marked} sagas, expected 1000`);

  // Retention as boot schedules it, over a copy of the large log where nearly everything is
  // prunable: the longest the event loop was kept waiting is what IPC and running sagas feel.
  const pruneDir = path.join(ctx.dir, 'prune');
  fs.mkdirSync(pruneDir);
  fs.copyFileSync(source, path.join(pruneDir, 'launcher-sagas.db'));
  // A log that retention prunes has been on disk for hours; a copy made a moment ago is still in
  // the page cache, and the pass's first checkpoint would pay to flush all of it (a bench artefact).
  const copyFd = fs.openSync(path.join(pruneDir, 'launcher-sagas.db'), 'r+');
  fs.fsyncSync(copyFd);
  fs.closeSync(copyFd);
  const pruneLog = SagaLog.open(path.join(pruneDir, 'launcher-sagas.db'));
  // As the subsystem runs it: checkpoints and the vacuum in the worker, main's auto-checkpoint off.
  const pruneCheckpointer = new LogCheckpointer(pruneLog);
  if (!(await pruneCheckpointer.ready)) throw new Error('the checkpoint worker did not start');
  const retention = scheduleRetention(pruneLog, { maxAgeDays: 0, keepNewest: ctx.largeSagas - (ctx.quick ? 20_000 : 50_000) }, undefined, undefined, pruneCheckpointer);
  // Each wait of the event loop as [start, end], to tell the pass's own waits from the garbage collector's pauses,
  // which stop the event loop whatever is running.
  const spans: [number, number][] = [];
  const gcPauses: [number, number][] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcPauses.push([e.startTime, e.startTime + e.duration]);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    spans.push([last, now]);
    last = now;
  }, 0);
  const pruneT0 = performance.now();
  const pass = await waits.activity('retention: a pass over the large log', 'served', '', () => retention.runNow());
  const pruneMs = performance.now() - pruneT0;
  clearInterval(probe);
  await retention.stop();
  await pruneCheckpointer.stop();
  await new Promise((r) => setTimeout(r, 50));
  gcObserver.disconnect();
  const batchMs = spans.map(([a, b]) => b - a);
  const withoutGc = spans.filter(([a, b]) => !gcPauses.some(([ga, gb]) => ga < b && gb > a)).map(([a, b]) => b - a);
  const longestGc = Math.max(0, ...gcPauses.filter(([a]) => a >= pruneT0).map(([a, b]) => b - a));
  if (pass.deleted === 0) throw new Error('retention bench pruned nothing');
  pruneLog.close();
  fs.rmSync(pruneDir, { recursive: true, force: true });

  // The cost of retention must follow what it deletes, not what it keeps (unreviewed sagas wait for an operator).
  const keptRounds = ctx.quick ? 1 : 3;
  const withKept: number[] = [];
  const withoutKept: number[] = [];
  for (let r = 0; r < keptRounds; r++) {
    withoutKept.push(await retentionWithKeptRows(ctx.dir, 0, 20_000));
    withKept.push(await retentionWithKeptRows(ctx.dir, 24_000, 20_000));
  }
  console.log(
    `boot: retention over 20,000 prunable sagas: ${median(withoutKept).toFixed(0)} sagas/s with none kept, ${median(withKept).toFixed(0)} sagas/s behind 24,000 kept unreviewed failed_compensation sagas`,
  );

  const reconcileMs: number[] = [];
  for (let r = 0; r < (ctx.quick ? 3 : 5); r++) reconcileMs.push(await reconcileOnce(path.join(ctx.dir, `reconcile-${r}`), distDir));
  console.log(`boot: reconciliation of 1,000 interrupted sagas (in-flight steps half on host, half on srv), asked and recorded: ${median(reconcileMs).toFixed(1)}ms`);

  // Typical payloads are the domain's own: 1,000 open_workspace sagas through real host and srv.
  const sizeBytes = (await waits.activity('engine: 1,000 open_workspace sagas through real peers, 8 at a time', 'served', '', () => measureSize1000(ctx.dir, distDir))).bytes;

  const ready = await timeToReady(ctx, distDir);

  console.log(
    `boot: recovery ${median(recoveryMs).toFixed(1)}ms, open+recovery ${median(openRecoverMs).toFixed(1)}ms over ${ctx.largeSagas.toLocaleString('en')} sagas; 1,000 open_workspace sagas take ${(sizeBytes / 1024).toFixed(0)} KiB; retention pruned ${pass.deleted} sagas in ${pruneMs.toFixed(0)}ms, never blocking the event loop more than ${Math.max(...batchMs).toFixed(1)}ms (${Math.max(...withoutGc).toFixed(1)}ms leaving out waits that overlap a GC pause; longest GC pause ${longestGc.toFixed(1)}ms)`,
  );
  return {
    'boot.recovery_ms': round(median(recoveryMs), 2),
    'boot.open_recover_ms': round(median(openRecoverMs), 2),
    'boot.reconcile_ms': round(median(reconcileMs), 2),
    'boot.peak_rss_mb': round(process.resourceUsage().maxRSS / 1024, 1),
    'boot.size_1000_sagas_bytes': sizeBytes,
    'boot.retention_pass_sagas': pass.deleted,
    'boot.retention_pass_ms': round(pruneMs, 1),
    'boot.retention_max_block_ms': round(Math.max(...batchMs), 2),
    'boot.retention_median_block_ms': round(median(batchMs), 2),
    'boot.retention_p99_block_ms': round(percentile(batchMs, 0.99), 2),
    'boot.retention_max_block_without_gc_ms': round(Math.max(...withoutGc), 2),
    'boot.retention_longest_gc_pause_ms': round(longestGc, 2),
    'boot.retention_pages_released': pass.pagesReleased,
    'boot.retention_sagas_per_s_none_kept': round(median(withoutKept), 0),
    'boot.retention_sagas_per_s_24k_kept': round(median(withKept), 0),
    ...ready,
  };
}
