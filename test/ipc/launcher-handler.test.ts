// The launcher channel over a real coordinator and a real log file: requests the contract
// refuses write nothing, and what the saga layer refuses comes back with the contract's code.
// The runs go through real host and srv processes forked from dist/ (build first).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createWorkspaceRunner } from '../../src-main/workspace-app/workspace-runner';
import { FaultPlan } from '../../src-main/workspace-app/fault-plan';
import { createLauncherHandler } from '../../src-main/ipc/launcher-handler';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { LAUNCHER_CHANNELS } from '../../src-shared/launcher-contract';
import { type TestEngine, selfOnlyCoordinator, startTestEngine } from '../engine/helpers';
import { tempDir } from '../helpers/temp-dir';

const trusted = { trusted: true };
const open = (workspace: string, failLastStep?: boolean) => ({ saga: 'open_workspace', workspace, ...(failLastStep !== undefined && { failLastStep }) });

describe('launcher channel', () => {
  let e: TestEngine;
  before(async () => {
    e = await startTestEngine();
  });
  after(async () => {
    await e.close();
  });
  const handlerOver = (owner = 'alice') => createLauncherHandler(createWorkspaceRunner(e, e.faults, owner));

  test('runs a valid request and answers the outcome the log holds', async () => {
    const handler = handlerOver();
    const res = await handler.handle(LAUNCHER_CHANNELS.runSaga, open(' alpha '), trusted);
    assert.ok(res.ok, JSON.stringify(res));
    assert.deepEqual(res.data, { sagaId: res.data.sagaId, state: 'completed', failureReason: null });
    const saga = e.log.saga(res.data.sagaId!)!;
    assert.equal(saga.name, 'open_workspace');
    assert.deepEqual(JSON.parse(saga.inputJson), { name: 'alpha', owner: 'alice' });

    const failing = await handler.handle(LAUNCHER_CHANNELS.runSaga, { saga: 'close_workspace', workspace: 'alpha', failLastStep: true }, trusted);
    assert.ok(failing.ok, JSON.stringify(failing));
    assert.equal(failing.data.state, 'failed');
    assert.equal(e.log.saga(failing.data.sagaId!)!.state, 'failed');
  });

  test('refuses bad requests, unknown sagas, untrusted senders and other channels without writing anything', async () => {
    const handler = handlerOver();
    const before = e.log.maxSagaId();
    const cases: [string, unknown, { trusted: boolean }, string][] = [
      [LAUNCHER_CHANNELS.runSaga, { saga: 'rm_rf', workspace: 'a' }, trusted, 'bad_request'],
      [LAUNCHER_CHANNELS.runSaga, open('../etc'), trusted, 'bad_request'],
      [LAUNCHER_CHANNELS.runSaga, { ...open('a'), extra: 1 }, trusted, 'bad_request'],
      [LAUNCHER_CHANNELS.runSaga, 'open_workspace', trusted, 'bad_request'],
      [LAUNCHER_CHANNELS.runSaga, open('a'), { trusted: false }, 'forbidden'],
      ['saga:list', {}, trusted, 'unknown_channel'],
      [LAUNCHER_CHANNELS.runSaga, { saga: 'close_workspace', workspace: 'never-opened' }, trusted, 'not_found'],
    ];
    for (const [channel, request, sender, code] of cases) {
      const res = await handler.handle(channel, request, sender);
      assert.equal(!res.ok && res.error.code, code, JSON.stringify(request));
    }
    assert.equal(e.log.maxSagaId(), before, 'no saga was written');
  });

  test('input the saga refuses (SagaInputError) is bad_request, and nothing is written', async () => {
    // An empty owner passes the launcher contract but not open_workspace's input schema.
    const before = e.log.maxSagaId();
    const res = await handlerOver('').handle(LAUNCHER_CHANNELS.runSaga, open('gamma'), trusted);
    assert.equal(!res.ok && res.error.code, 'bad_request', JSON.stringify(res));
    assert.match(!res.ok ? res.error.message : '', /invalid input for saga 'open_workspace': owner: /);
    assert.equal(e.log.maxSagaId(), before);
  });
});

describe('launcher channel when the coordinator refuses (SagaRefusedError)', () => {
  const dir = tempDir('launcher-refused-');
  before(() => SagaLog.open(path.join(dir, LOG_FILE_NAME)).close());

  test('a read-only log answers read_only', async () => {
    const log = SagaLog.open(path.join(dir, LOG_FILE_NAME), { readonly: true });
    try {
      const coordinator = selfOnlyCoordinator(log);
      const handler = createLauncherHandler(createWorkspaceRunner(coordinator, new FaultPlan(dir), 'alice'));
      const res = await handler.handle(LAUNCHER_CHANNELS.runSaga, open('delta'), trusted);
      assert.equal(!res.ok && res.error.code, 'read_only', JSON.stringify(res));
      assert.match(!res.ok ? res.error.message : '', /^The saga could not be run: saga 'open_workspace' was not started: /);
    } finally {
      log.close();
    }
  });

  test('a coordinator shutting down answers busy, and writes nothing', async () => {
    const log = SagaLog.open(path.join(dir, LOG_FILE_NAME));
    try {
      const coordinator = selfOnlyCoordinator(log);
      await coordinator.shutdown(0);
      const handler = createLauncherHandler(createWorkspaceRunner(coordinator, new FaultPlan(dir), 'alice'));
      const res = await handler.handle(LAUNCHER_CHANNELS.runSaga, open('epsilon'), trusted);
      assert.equal(!res.ok && res.error.code, 'busy', JSON.stringify(res));
      assert.match(!res.ok ? res.error.message : '', /shutting down/);
      assert.equal(log.maxSagaId(), 0);
    } finally {
      log.close();
    }
  });
});
