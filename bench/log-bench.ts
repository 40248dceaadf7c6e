// Part 1: the saga log's own costs.
import path from 'node:path';
import Database from 'better-sqlite3';
import { LogCheckpointer } from '../src-main/saga/log/checkpointer';
import { SagaLog } from '../src-main/saga/log/saga-log';
import { buildLargeLog } from './large-log';
import { medianMs, round } from './stats';

export interface BenchContext {
  dir: string;
  quick: boolean;
  /** A log of `largeSagas` sagas with 1,000 interrupted ones, built once and shared by the parts. */
  largeLogFile: () => string;
  largeSagas: number;
}

/** The seed's recent-sagas query: sorts the whole table, then one COUNT per row. */
function seedRecent(db: Database.Database, limit: number): unknown[] {
  const rows = db
    .prepare(
      `SELECT saga_id, name, state, started_at, ended_at, failure_reason, input_json FROM launcher_saga
       ORDER BY COALESCE(ended_at, started_at) DESC LIMIT ?`,
    )
    .all(limit) as { saga_id: number }[];
  const count = db.prepare(
    `SELECT COUNT(*) FROM launcher_saga_step WHERE saga_id = ? AND state IN ('succeeded', 'compensated')`,
  );
  return rows.map((r) => ({ ...r, steps: count.pluck().get(r.saga_id) }));
}

interface StepFigures {
  /** The log as the app runs it: checkpoints on the worker thread, main's auto-checkpoint off. */
  logUs: number;
  /** The log checkpointing on its own connection (SQLite's auto-checkpoint), as without the worker. */
  logMainCheckpointsUs: number;
  rawUs: number;
}

/**
 * A step through the log in its steady state (step i's outcome and step i+1's pending row in one
 * commit) against the naive raw way: better-sqlite3 with the same pragmas, two autocommits a step
 * (SQLite's own auto-checkpoint, as anyone using it plainly gets). The log is measured twice: as
 * the app runs it, with checkpoints on the worker thread, and checkpointing on main as before.
 */
async function stepOverhead(ctx: BenchContext): Promise<StepFigures> {
  const steps = ctx.quick ? 500 : 2000;
  const rounds = ctx.quick ? 5 : 9;
  const cmd = JSON.stringify({ op: 'noop', payload: 'x'.repeat(64) });

  const log = SagaLog.open(path.join(ctx.dir, 'step-log.db'));
  const checkpointer = new LogCheckpointer(log);
  if (!(await checkpointer.ready)) throw new Error('the checkpoint worker did not start');
  const plainLog = SagaLog.open(path.join(ctx.dir, 'step-log-plain.db'));
  const rawFile = path.join(ctx.dir, 'step-raw.db');
  SagaLog.open(rawFile).close();
  const raw = new Database(rawFile);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  const insert = raw.prepare(
    `INSERT INTO launcher_saga_step(saga_id, step_index, name, state, cmd_json, target, started_at) VALUES (?, ?, 'noop', 'pending', ?, 'self', ?)`,
  );
  const finish = raw.prepare(
    `UPDATE launcher_saga_step SET state = 'succeeded', output_json = ?, ended_at = ? WHERE saga_id = ? AND step_index = ? AND state = 'pending'`,
  );
  raw.prepare(`INSERT INTO launcher_saga(saga_id, name, state, started_at, input_json) VALUES (1, 'raw', 'running', '', '{}')`).run();

  const next = { name: 'noop', target: 'self', cmdJson: cmd } as const;
  const logSeries = (l: SagaLog) => {
    const saga = l.startSaga({ name: 'bench', inputJson: '{}', firstStep: next });
    let idx = 0;
    return () => {
      for (let i = 0; i < steps; i++, idx++) l.finishStepAndStartNext(saga, idx, '{"ok":true}', next);
    };
  };
  let rawIdx = 0;
  const series = {
    log: logSeries(log),
    plain: logSeries(plainLog),
    raw: () => {
      for (let i = 0; i < steps; i++, rawIdx++) {
        insert.run(1, rawIdx, cmd, new Date().toISOString());
        finish.run('{"ok":true}', new Date().toISOString(), 1, rawIdx);
      }
    },
  };
  const times: Record<keyof typeof series, number[]> = { log: [], plain: [], raw: [] };
  // Alternate the three so machine noise hits all alike; a turn of the event loop between rounds
  // lets the worker's timer run as it would between an app's steps.
  for (let r = 0; r < rounds; r++) {
    for (const k of Object.keys(series) as (keyof typeof series)[]) {
      times[k].push(medianMs(1, series[k]));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  await checkpointer.stop();
  log.close();
  plainLog.close();
  raw.close();
  const perStepUs = (xs: number[]) => ([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! / steps) * 1000;
  return { logUs: perStepUs(times.log), logMainCheckpointsUs: perStepUs(times.plain), rawUs: perStepUs(times.raw) };
}

export async function runLogBench(ctx: BenchContext): Promise<Record<string, number>> {
  const step = await stepOverhead(ctx);
  const ratio = step.logUs / step.rawUs;
  const file = ctx.largeLogFile();
  const log = SagaLog.open(file);
  const rounds = ctx.quick ? 15 : 31;
  const ours = medianMs(rounds, () => void log.recent({ limit: 50 }));
  const oursFiltered = medianMs(rounds, () => void log.recent({ limit: 50, state: 'failed' }));
  const seedDb = new Database(file, { readonly: true });
  const seed = medianMs(ctx.quick ? 3 : 5, () => void seedRecent(seedDb, 50));
  seedDb.close();
  const unresolved = medianMs(ctx.quick ? 5 : 11, () => {
    const u = log.unresolved();
    if (u.length !== 1000) throw new Error(`expected 1000 unresolved sagas, found ${u.length}`);
  });
  log.close();
  console.log(
    `log: per step ${step.logUs.toFixed(1)}us (one commit, checkpoints on the worker; ${step.logMainCheckpointsUs.toFixed(1)}us checkpointing on main) vs naive raw ${step.rawUs.toFixed(1)}us (two autocommits); recent50 ${ours.toFixed(3)}ms (state filter ${oursFiltered.toFixed(3)}ms) vs seed ${seed.toFixed(1)}ms`,
  );
  return {
    'log.step_overhead_ratio': round(ratio),
    'log.step_us': round(step.logUs, 2),
    'log.raw_step_us': round(step.rawUs, 2),
    'log.naive_raw_step_us': round(step.rawUs, 2),
    'log.step_vs_naive_ratio': round(ratio),
    'log.step_main_checkpoints_us': round(step.logMainCheckpointsUs, 2),
    'log.step_main_checkpoints_vs_naive_ratio': round(step.logMainCheckpointsUs / step.rawUs),
    'log.recent50_1m_ms': round(ours),
    'log.recent50_state_1m_ms': round(oursFiltered),
    'log.recent50_1m_seed_ratio': round(seed / ours, 1),
    'log.recent50_1m_seed_ms': round(seed, 1),
    'log.unresolved1000_ms': round(unresolved),
  };
}

export { buildLargeLog };
