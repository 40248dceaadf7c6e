// Builds a large launcher saga log quickly for benchmarks. It writes rows with raw SQL in big
// transactions because going through SagaLog (one transaction per transition) would take minutes;
// the schema comes from SagaLog itself so the file is exactly what the product writes.
import Database from 'better-sqlite3';
import { SagaLog } from '../src-main/saga/log/saga-log';

export interface LargeLogSpec {
  sagas: number;
  /** How many of the newest sagas were interrupted (left running with a pending last step). */
  interrupted: number;
  stepsPerSaga: number;
  /** Payload size of each command and output, in bytes. */
  payloadBytes?: number;
}

export function buildLargeLog(file: string, spec: LargeLogSpec): void {
  SagaLog.open(file).close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insertSaga = db.prepare(
    `INSERT INTO launcher_saga(saga_id, name, state, started_at, ended_at, input_json, failure_reason, planned_steps, boot_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'bench')`,
  );
  const insertStep = db.prepare(
    `INSERT INTO launcher_saga_step(saga_id, step_index, name, state, cmd_json, target, started_at, ended_at, output_json, kind, peer_generation)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'compensatable', 1)`,
  );
  const pad = 'x'.repeat(Math.max(0, (spec.payloadBytes ?? 40) - 30));
  const targets = ['self', 'host', 'srv'] as const;
  const base = Date.parse('2026-01-01T00:00:00Z');
  const batch = 50_000;
  for (let start = 1; start <= spec.sagas; start += batch) {
    db.transaction(() => {
      for (let id = start; id < Math.min(start + batch, spec.sagas + 1); id++) {
        const interrupted = id > spec.sagas - spec.interrupted;
        const failed = !interrupted && id % 10 === 0;
        const t = new Date(base + id * 1000).toISOString();
        const end = interrupted ? null : new Date(base + id * 1000 + 250).toISOString();
        const state = interrupted ? 'running' : failed ? 'failed' : 'completed';
        insertSaga.run(id, id % 2 ? 'open_workspace' : 'close_workspace', state, t, end, `{"workspace":"w${id}"}`, failed ? 'step 2 failed' : null, spec.stepsPerSaga);
        for (let i = 0; i < spec.stepsPerSaga; i++) {
          const last = i === spec.stepsPerSaga - 1;
          const stepState = interrupted && last ? 'pending' : 'succeeded';
          insertStep.run(id, i, `step_${i}`, stepState, `{"op":"step_${i}","w":${id},"p":"${pad}"}`, targets[i % 3], t, stepState === 'pending' ? null : end, stepState === 'pending' ? null : `{"ok":true,"p":"${pad}"}`);
        }
      }
    })();
  }
  db.prepare(`UPDATE launcher_saga_meta SET value = ? WHERE key = 'saga_id_high_water'`).run(spec.sagas);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
