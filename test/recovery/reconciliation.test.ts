// Reconciliation's answers when the peer cannot be believed: garbage, silence or answers about
// steps it was not asked about, and a receipt store that is missing or damaged. Each case kills a
// real main with SIGKILL mid-saga, then relaunches on the same profile with real peers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { SubsystemOptions } from '../../src-main/index';
import { judge } from '../../src-main/saga/reconciliation';
import { WORKSPACE_STORE_FILE } from '../../src-main/workspace-app/workspace-store';
import type { StepRecord } from '../../src-shared/saga-model';
import { bootWorkspace, DIST_DIR, requireBuild } from '../helpers/workspace-boot';
import { crashedOpen } from '../operator/crashed-open';
import { HOST_RECEIPTS_FILE } from './matrix/stores';

const ODD_PEER = path.join(import.meta.dirname, 'fixtures', 'odd-receipts-peer.mjs');
requireBuild();

/** Relaunches on `dir`, waits for reconciliation, and returns the interrupted saga's in-flight step. */
async function relaunch(dir: string, options: Partial<SubsystemOptions> = {}): Promise<{ step: StepRecord; reason: string; state: string }> {
  const app = await bootWorkspace({ userDataDir: dir, retention: false, ...options });
  try {
    await app.reconciliation;
    const [summary] = app.log.recent({ limit: 1, state: 'failed_compensation' });
    const saga = app.log.saga(summary!.sagaId)!;
    const step = saga.steps.find((st) => st.state === 'pending')!;
    return { step, reason: saga.failureReason ?? '', state: saga.state };
  } finally {
    await app.shutdown();
  }
}

const withOddSrv = (mode: string): Partial<SubsystemOptions> => ({
  peers: { host: { entry: path.join(DIST_DIR, 'peers', 'host.js') }, srv: { entry: ODD_PEER, env: { LAUNCHER_TEST_RECEIPTS: mode } } },
  reconcileDeadlineMs: 500,
});

describe('reconciliation when the answer cannot be believed', { concurrency: 2 }, () => {
  test('garbage, silence and stray receipts leave the step unknown, asked again until a real answer', async () => {
    const dir = await crashedOpen('open_workspace:0:after_pending');

    const garbage = await relaunch(dir, withOddSrv('garbage'));
    assert.equal(garbage.step.reconciliation?.answer, 'unknown');
    assert.match(garbage.step.reconciliation?.why ?? '', /^the peer answered garbage: /);
    assert.equal(garbage.step.reconciliation?.source, 'peer srv generation 1');
    assert.equal(garbage.state, 'failed_compensation');

    const silent = await relaunch(dir, withOddSrv('silent'));
    assert.equal(silent.step.reconciliation?.answer, 'unknown');
    assert.equal(silent.step.reconciliation?.why, 'no answer within 500ms');

    const stray = await relaunch(dir, withOddSrv('stray'));
    assert.equal(stray.step.reconciliation?.answer, 'unknown');
    assert.match(stray.step.reconciliation?.why ?? '', /answered about saga \d+ step 0, which it was not asked about/);

    // The real srv, at last: the step was never sent, and srv's receipts commit with its effects.
    const real = await relaunch(dir);
    assert.equal(real.step.reconciliation?.answer, 'not_applied');
    assert.equal(real.step.state, 'pending', 'nothing was re-sent');
    const learned = real.reason.split('; reconciliation: ').slice(1);
    assert.equal(learned.length, 4, `each new answer was appended once: ${real.reason}`);
    assert.match(learned[3]!, /was not applied/);
  });

  test("an applied step's output from its receipt is kept on the row, redacted like any output", async () => {
    const dir = await crashedOpen('open_workspace:0:after_pending');
    const { step } = await relaunch(dir, withOddSrv('secret'));
    assert.equal(step.reconciliation?.answer, 'applied');
    assert.equal(step.state, 'pending');
    assert.deepEqual(JSON.parse(step.outputJson ?? 'null'), { workspaceId: 'ws-from-receipt', accessToken: '[redacted]' }, 'the sensitive field never reaches the log');
  });

  test("a missing srv store answers unknown, never not_applied", async () => {
    const dir = await crashedOpen('open_workspace:0:after_pending');
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path.join(dir, `${WORKSPACE_STORE_FILE}${suffix}`), { force: true });
    const { step } = await relaunch(dir);
    assert.equal(step.reconciliation?.answer, 'unknown');
    assert.match(step.reconciliation?.why ?? '', /receipt store was created at .*, after this step was sent \(missing when the peer started\)/);
  });

  test('a damaged host receipt store is moved aside and answers unknown; the next launch changes nothing', async () => {
    const dir = await crashedOpen('open_workspace:1:after_dispatch');
    const file = path.join(dir, HOST_RECEIPTS_FILE);
    for (const suffix of ['-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
    fs.writeFileSync(file, Buffer.alloc(8192, 0x5a));
    const first = await relaunch(dir);
    assert.equal(first.step.reconciliation?.answer, 'unknown');
    assert.match(first.step.reconciliation?.why ?? '', /could not be read \(.*\) and was moved aside to host-receipts\.db\.damaged-\d+/);
    assert.ok(fs.readdirSync(dir).some((f) => /^host-receipts\.db\.damaged-\d+$/.test(f)), 'the damaged file is kept beside the profile');

    const second = await relaunch(dir);
    assert.deepEqual(second.step.reconciliation, first.step.reconciliation, 'asked again, same answer, nothing rewritten');
    assert.equal(second.reason, first.reason);
  });
});

describe('judge: one answer against the steps asked', () => {
  const step = { sagaId: 7, sagaName: 'open_workspace', stepIndex: 0, stepName: 'create_workspace', target: 'srv' as const, op: 'create_workspace', startedAt: '2026-01-01T00:00:01.000Z', peerGeneration: 1, previous: null };
  const base = { ok: true as const, source: 'peer srv generation 1', storeCreatedAt: '2026-01-01T00:00:00.000Z', note: null, atomicOps: ['create_workspace'], receipts: [] };

  test('a receipt after the effect proves it applied; none proves nothing', () => {
    const receipt = { sagaId: 7, stepIndex: 0, attempt: 1, op: 'create_workspace', outcome: 'succeeded' as const, durability: 'after_effect' as const, recordedAt: '2026-01-01T00:00:02.000Z', outputJson: null };
    assert.equal(judge([step], { ...base, atomicOps: [], receipts: [receipt] })[0]?.answer, 'applied');
    assert.equal(judge([step], { ...base, atomicOps: [] })[0]?.answer, 'unknown');
    assert.equal(judge([step], base)[0]?.answer, 'not_applied');
  });

  test('a failed receipt of an atomic op is not applied; a store newer than the step is unknown', () => {
    const failedOne = { sagaId: 7, stepIndex: 0, attempt: 1, op: 'create_workspace', outcome: 'failed' as const, durability: 'after_effect' as const, recordedAt: '2026-01-01T00:00:02.000Z', outputJson: null };
    assert.match(judge([step], { ...base, receipts: [failedOne] })[0]?.why ?? '', /it failed; its receipts commit with its effect/);
    assert.equal(judge([step], { ...base, storeCreatedAt: '2026-01-01T00:00:05.000Z' })[0]?.answer, 'unknown');
  });
});
