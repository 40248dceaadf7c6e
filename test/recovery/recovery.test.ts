import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { SagaLogError } from '../../src-main/saga/log/errors';
import { SagaLog } from '../../src-main/saga/log/saga-log';
import { recoveryPlan, runRecovery } from '../../src-main/saga/recovery';
import { tempDir } from '../helpers/temp-dir';
import { dumpTables, writeScenario } from './log-fixtures';

function scenarioLog() {
  const file = path.join(tempDir('recovery-'), 'launcher-sagas.db');
  const log = SagaLog.open(file);
  const ids = writeScenario(log);
  return { file, log, ids };
}

describe('launch-time recovery', () => {
  test('words each interrupted saga with its phase, the step in flight, its target and an unknown outcome', () => {
    const { log, ids } = scenarioLog();
    const plan = recoveryPlan(log.unresolved());
    const reason = (id: number) => plan.find((p) => p.sagaId === id)?.reason;
    assert.deepEqual(plan.map((p) => p.sagaId), [ids.midStep, ids.betweenSteps, ids.midCompensation, ids.noSteps, ids.betweenCompensations]);
    assert.equal(
      reason(ids.midStep),
      "interrupted while running, during step 1 'start_session' (target host, peer generation 3, outcome unknown)",
    );
    assert.equal(
      reason(ids.betweenSteps),
      "interrupted while running, between steps: step 1 'start_session' succeeded, no step in flight",
    );
    assert.equal(
      reason(ids.midCompensation),
      "interrupted while compensating (after step 1 'start_session' failed: host exited (code 1)), " +
        "during compensation step 2 'undo create_workspace' of step 0 (target srv, peer generation 2, outcome unknown)",
    );
    assert.equal(reason(ids.noSteps), 'interrupted while running, before its first step: no step was recorded, none in flight');
    assert.equal(
      reason(ids.betweenCompensations),
      "interrupted while compensating (after step 1 'start_session' failed: deadline of 100 ms passed), " +
        "between steps: compensation step 2 'undo create_workspace' of step 0 succeeded, no step in flight; " +
        "the log shows step 1 'start_session' failed and its one undo succeeded, and only the write that ends the saga was lost: " +
        'nothing needs undoing, it can be resolved as failed',
    );
    assert.deepEqual(plan.find((p) => p.sagaId === ids.midStep)?.inFlightStep, {
      stepIndex: 1,
      name: 'start_session',
      target: 'host',
      peerGeneration: 3,
    });
    assert.equal(plan.find((p) => p.sagaId === ids.betweenSteps)?.inFlightStep, null);
    assert.equal(plan.find((p) => p.sagaId === ids.midCompensation)?.previousState, 'compensating');
  });

  test('marks every interrupted saga failed_compensation, leaves pending steps pending and persists the report', () => {
    const { log, ids } = scenarioLog();
    const report = runRecovery(log, { bootId: 'boot-2', movedAside: [] });
    assert.equal(report.bootId, 'boot-2');
    assert.equal(report.marked.length, 5);
    for (const m of report.marked) {
      const saga = log.saga(m.sagaId);
      assert.equal(saga?.state, 'failed_compensation');
      assert.equal(saga?.failureReason, m.reason);
      assert.ok(saga?.endedAt);
    }
    const mid = log.saga(ids.midStep);
    assert.equal(mid?.steps[1]?.state, 'pending', 'nobody knows whether the in-flight step was applied');
    assert.deepEqual(mid?.inFlightStep, { stepIndex: 1, name: 'start_session', target: 'host', peerGeneration: 3 });
    assert.equal(log.saga(ids.midCompensation)?.steps[2]?.state, 'pending');
    assert.equal(log.saga(ids.completed)?.state, 'completed');
    assert.equal(log.saga(ids.completed)?.failureReason, null);
    assert.deepEqual(log.latestRecoveryReports(1), [report]);
    log.close();
  });

  test('a second run changes nothing, byte for byte, in the tables and the file', () => {
    const { file, log } = scenarioLog();
    runRecovery(log, { bootId: 'boot-2', movedAside: [] });
    log.checkpoint();
    const tables = dumpTables(file);
    const bytes = fs.readFileSync(file);
    const second = runRecovery(log, { bootId: 'boot-3', movedAside: [] });
    assert.deepEqual(second.marked, []);
    log.checkpoint();
    assert.equal(dumpTables(file), tables);
    assert.ok(fs.readFileSync(file).equals(bytes), 'the file is byte-identical after a second recovery');
    assert.equal(log.latestRecoveryReports(5).length, 1, 'an empty recovery persists no report');
    log.close();
    // And again from a fresh process view: reopen, recover, still identical.
    const reopened = SagaLog.open(file);
    runRecovery(reopened, { bootId: 'boot-4', movedAside: [] });
    reopened.checkpoint();
    reopened.close();
    assert.equal(dumpTables(file), tables);
  });

  test('a read that fails (a damaged step page) stops recovery with a corrupt error; nothing is marked', () => {
    const { file, log } = scenarioLog();
    log.checkpoint();
    log.close();
    const raw = new Database(file, { readonly: true });
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    const root = raw.prepare(`SELECT rootpage FROM sqlite_master WHERE name = 'launcher_saga_step'`).pluck().get() as number;
    raw.close();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
    fs.closeSync(fd);
    const states = () => {
      const db = new Database(file, { readonly: true });
      try {
        return JSON.stringify(db.prepare('SELECT saga_id, state, ended_at, failure_reason FROM launcher_saga ORDER BY saga_id').raw().all());
      } finally {
        db.close();
      }
    };
    const before = states();
    const reopened = SagaLog.open(file);
    // Recovery must surface the failed read, never report it as an empty log.
    assert.throws(
      () => runRecovery(reopened, { bootId: 'boot-x', movedAside: [] }),
      (e: unknown) => e instanceof SagaLogError && e.code === 'corrupt' && /recover interrupted sagas/.test(e.message),
    );
    assert.equal(reopened.latestRecoveryReports(5).length, 0, 'no report was persisted');
    reopened.close();
    assert.equal(states(), before, 'no saga was marked');
  });

  test('recovery cannot dispatch: it imports nothing that can reach a peer or the router', () => {
    const source = fs.readFileSync(path.join(import.meta.dirname, '../../src-main/saga/recovery.ts'), 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
    // log-proof is pure: it reads step rows and words what they prove.
    assert.deepEqual(imports.sort(), ['../../src-shared/saga-model', './log-proof', './log/saga-log']);
  });
});
