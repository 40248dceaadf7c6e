// Part 1: the saga log's own costs.
import path from 'node:path';
import Database from 'better-sqlite3';
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

/**
 * A step through the log in its steady state (step i's outcome and step i+1's pending row in one
 * commit) against the naive raw way: better-sqlite3 with the same pragmas, two autocommits a step.
 */
function stepOverhead(ctx: BenchContext): { ratio: number; logUs: number; rawUs: number } {
  const steps = ctx.quick ? 500 : 2000;
  const rounds = ctx.quick ? 5 : 9;
  const cmd = JSON.stringify({ op: 'noop', payload: 'x'.repeat(64) });

  const log = SagaLog.open(path.join(ctx.dir, 'step-log.db'));
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
  let logIdx = 0;
  let rawIdx = 0;
  const logSaga = log.startSaga({ name: 'bench', inputJson: '{}', firstStep: next });
  const logTimes: number[] = [];
  const rawTimes: number[] = [];
  // Alternate the two so machine noise hits both alike.
  for (let r = 0; r < rounds; r++) {
    logTimes.push(
      medianMs(1, () => {
        for (let i = 0; i < steps; i++, logIdx++) {
          log.finishStepAndStartNext(logSaga, logIdx, '{"ok":true}', next);
        }
      }),
    );
    rawTimes.push(
      medianMs(1, () => {
        for (let i = 0; i < steps; i++, rawIdx++) {
          insert.run(1, rawIdx, cmd, new Date().toISOString());
          finish.run('{"ok":true}', new Date().toISOString(), 1, rawIdx);
        }
      }),
    );
  }
  log.close();
  raw.close();
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const logUs = (med(logTimes) / steps) * 1000;
  const rawUs = (med(rawTimes) / steps) * 1000;
  return { ratio: logUs / rawUs, logUs, rawUs };
}

export function runLogBench(ctx: BenchContext): Record<string, number> {
  const step = stepOverhead(ctx);
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
    `log: per step ${step.logUs.toFixed(1)}us (one commit) vs naive raw ${step.rawUs.toFixed(1)}us (two autocommits); recent50 ${ours.toFixed(3)}ms (state filter ${oursFiltered.toFixed(3)}ms) vs seed ${seed.toFixed(1)}ms`,
  );
  return {
    'log.step_overhead_ratio': round(step.ratio),
    'log.step_us': round(step.logUs, 2),
    'log.raw_step_us': round(step.rawUs, 2),
    'log.naive_raw_step_us': round(step.rawUs, 2),
    'log.step_vs_naive_ratio': round(step.ratio),
    'log.recent50_1m_ms': round(ours),
    'log.recent50_state_1m_ms': round(oursFiltered),
    'log.recent50_1m_seed_ratio': round(seed / ours, 1),
    'log.recent50_1m_seed_ms': round(seed, 1),
    'log.unresolved1000_ms': round(unresolved),
  };
}

export { buildLargeLog };
