// Shared by the recovery and boot tests: interrupted sagas written through the real log,
// and a byte-level view of the tables for "a second run changes nothing" checks.
import crypto from 'node:crypto';
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { SagaLog } from '../../src-main/saga/log/saga-log';

export const sha256 = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

const TABLES = ['launcher_saga', 'launcher_saga_step', 'launcher_saga_meta', 'launcher_recovery_report'];

/** Every row of the log's tables, in key order, through a separate read-only connection. */
export function dumpTables(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const out: Record<string, unknown[]> = {};
    for (const t of TABLES) out[t] = db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).raw().all();
    return JSON.stringify(out);
  } finally {
    db.close();
  }
}

/**
 * The tables without the record of which launch owns the log: every launch replaces it (see
 * boot-owner.ts), so a launch that only recovers still changes it, while its sagas and reports stay.
 */
export function dumpSagaRecords(file: string): string {
  const tables = JSON.parse(dumpTables(file)) as Record<string, unknown[][]>;
  tables.launcher_saga_meta = (tables.launcher_saga_meta ?? []).filter((row) => !String(row[0]).startsWith('boot_owner_'));
  return JSON.stringify(tables);
}

export interface Scenario {
  /** running: step 0 succeeded, step 1 pending on host generation 3. */
  midStep: number;
  /** running: steps 0 and 1 succeeded, nothing pending. */
  betweenSteps: number;
  /** compensating: step 0 succeeded, step 1 failed, undo of step 0 pending on srv gen 2. */
  midCompensation: number;
  /** running: no step recorded. */
  noSteps: number;
  /** compensating: the undo of step 0 finished, nothing pending. */
  betweenCompensations: number;
  completed: number;
}

const cmd = (op: string) => JSON.stringify({ op });

export function writeScenario(log: SagaLog, bootId = 'boot-before-crash'): Scenario {
  const start = (name: string) => log.startSaga({ name, inputJson: '{"workspace":"w"}', plannedSteps: 3, bootId });

  const midStep = start('open_workspace');
  log.startStep({ sagaId: midStep, stepIndex: 0, name: 'create_workspace', target: 'srv', kind: 'compensatable', cmdJson: cmd('create'), peerGeneration: 1 });
  log.finishStep(midStep, 0, '{"id":"w1"}');
  log.startStep({ sagaId: midStep, stepIndex: 1, name: 'start_session', target: 'host', kind: 'compensatable', cmdJson: cmd('start'), peerGeneration: 3 });

  const betweenSteps = start('open_workspace');
  log.startStep({ sagaId: betweenSteps, stepIndex: 0, name: 'create_workspace', target: 'srv', kind: 'compensatable', cmdJson: cmd('create'), peerGeneration: 1 });
  log.finishStep(betweenSteps, 0, '{}');
  log.startStep({ sagaId: betweenSteps, stepIndex: 1, name: 'start_session', target: 'host', kind: 'compensatable', cmdJson: cmd('start'), peerGeneration: 1 });
  log.finishStep(betweenSteps, 1, '{}');

  const midCompensation = start('open_workspace');
  log.startStep({ sagaId: midCompensation, stepIndex: 0, name: 'create_workspace', target: 'srv', kind: 'compensatable', cmdJson: cmd('create'), peerGeneration: 2 });
  log.finishStep(midCompensation, 0, '{}');
  log.startStep({ sagaId: midCompensation, stepIndex: 1, name: 'start_session', target: 'host', kind: 'compensatable', cmdJson: cmd('start'), peerGeneration: 1 });
  log.failStep(midCompensation, 1, 'host exited (code 1)');
  log.markCompensating(midCompensation, "step 1 'start_session' failed");
  log.appendCompensation({ sagaId: midCompensation, compensatesIndex: 0, name: 'undo create_workspace', target: 'srv', cmdJson: cmd('delete'), peerGeneration: 2 });

  const noSteps = start('close_workspace');

  const betweenCompensations = start('open_workspace');
  log.startStep({ sagaId: betweenCompensations, stepIndex: 0, name: 'create_workspace', target: 'self', kind: 'compensatable', cmdJson: cmd('create') });
  log.finishStep(betweenCompensations, 0, '{}');
  log.startStep({ sagaId: betweenCompensations, stepIndex: 1, name: 'start_session', target: 'host', kind: 'compensatable', cmdJson: cmd('start'), peerGeneration: 1 });
  log.failStep(betweenCompensations, 1, 'deadline of 100 ms passed');
  log.markCompensating(betweenCompensations, "step 1 'start_session' failed");
  const undo = log.appendCompensation({ sagaId: betweenCompensations, compensatesIndex: 0, name: 'undo create_workspace', target: 'self', cmdJson: cmd('delete') });
  log.finishCompensation(betweenCompensations, undo, '{}');

  const completed = start('open_workspace');
  log.startStep({ sagaId: completed, stepIndex: 0, name: 'create_workspace', target: 'self', kind: 'read_only', cmdJson: cmd('x') });
  log.finishStep(completed, 0, '{}');
  log.terminate(completed, 'completed');

  return { midStep, betweenSteps, midCompensation, noSteps, betweenCompensations, completed };
}
