// One commit per step: the log's -wal is read to count what each saga committed, and each
// path's rows are checked, so a merged write that lost a row or a split one would show.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { Coordinator } from '../../src-main/saga/coordinator';
import { defineSaga } from '../../src-main/saga/define-saga';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { Router } from '../../src-main/saga/router';
import { SelfHandlers } from '../../src-main/saga/self-handlers';
import { noopSelfSaga } from '../../src-main/workspace-app/noop-sagas';
import { walCommits } from '../helpers/wal-commits';
import { startSagaSubsystem } from '../../src-main/index';
import { requireBuild, rows, selfOnlyCoordinator, tempDir } from './helpers';

function openLog(): { file: string; log: SagaLog } {
  const file = path.join(tempDir(), LOG_FILE_NAME);
  const log = SagaLog.open(file);
  // Nothing may fold the -wal back while commits are counted in it.
  (log as unknown as { db: { pragma(s: string): unknown } }).db.pragma('wal_autocheckpoint = 0');
  return { file, log };
}

/** Commits made while `fn` runs. */
async function commitsOf(file: string, fn: () => Promise<unknown>): Promise<number> {
  const before = walCommits(file);
  await fn();
  return walCommits(file) - before;
}

const handlers = () =>
  SelfHandlers.from({
    make: (c) => ({ made: c.item }),
    unmake: (c) => ({ unmade: c.item }),
    fail: () => {
      throw new Error('refused on purpose');
    },
  });

const compensatable = (name: string) =>
  ({ name, target: 'self', kind: 'compensatable', command: () => ({ op: 'make', item: name }), compensate: () => ({ op: 'unmake', item: name }) }) as const;

describe('one commit per step', () => {
  it('a 3-step saga that completes makes 4 commits (steps + 1), where it used to make 8', async () => {
    const { file, log } = openLog();
    const coordinator = selfOnlyCoordinator(log);
    await coordinator.run(noopSelfSaga, {}); // warm: the first write may also stamp the file
    let outcome;
    const commits = await commitsOf(file, async () => {
      outcome = await coordinator.run(noopSelfSaga, {});
    });
    assert.equal(commits, 4);
    assert.equal(outcome!.state, 'completed');
    assert.deepEqual(rows(log, outcome!.sagaId), ['0 noop_1 succeeded', '1 noop_2 succeeded', '2 noop_3 succeeded']);
    assert.equal(log.saga(outcome!.sagaId)?.state, 'completed');
    log.close();
  });

  it('ten 3-step sagas in flight at once still make 4 commits each', async () => {
    const { file, log } = openLog();
    const coordinator = selfOnlyCoordinator(log);
    const commits = await commitsOf(file, () => Promise.all(Array.from({ length: 10 }, () => coordinator.run(noopSelfSaga, {}))));
    assert.equal(commits, 40);
    assert.equal(log.countInState('completed'), 10);
    log.close();
  });

  it('a failed step keeps its own commits: the outcome, then compensating, each undo pending and done, then failed', async () => {
    const { file, log } = openLog();
    const coordinator = new Coordinator(log, new Router(handlers(), null));
    const saga = defineSaga({
      name: 'fails_at_2',
      input: z.object({}),
      steps: [compensatable('a'), compensatable('b'), { name: 'c', target: 'self', kind: 'read_only', command: () => ({ op: 'fail' }) }],
    });
    let outcome;
    const commits = await commitsOf(file, async () => {
      outcome = await coordinator.run(saga, {});
    });
    // saga+pending 0, outcome 0+pending 1, outcome 1+pending 2, step 2 failed, compensating,
    // 2 undos x (pending, done), failed.
    assert.equal(commits, 1 + 1 + 1 + 1 + 1 + 4 + 1);
    assert.equal(outcome!.state, 'failed');
    assert.deepEqual(rows(log, outcome!.sagaId), [
      '0 a compensated',
      '1 b compensated',
      '2 c failed',
      '3 undo b succeeded undoes 1',
      '4 undo a succeeded undoes 0',
    ]);
    log.close();
  });

  it("a next step whose command cannot be built: step i's outcome commits alone, step i+1 is never recorded nor sent", async () => {
    const { file, log } = openLog();
    const coordinator = new Coordinator(log, new Router(handlers(), null));
    const saga = defineSaga({
      name: 'bad_next',
      input: z.object({}),
      steps: [
        compensatable('a'),
        {
          name: 'b',
          target: 'self',
          kind: 'read_only',
          command: ({ outputs }) => {
            throw new Error(`no item in ${JSON.stringify(outputs[0])}`);
          },
        },
      ],
    });
    let outcome;
    const commits = await commitsOf(file, async () => {
      outcome = await coordinator.run(saga, {});
    });
    // saga+pending 0, outcome 0 alone, compensating, undo pending, undo done, failed.
    assert.equal(commits, 6);
    assert.equal(outcome!.state, 'failed');
    assert.equal(outcome!.failureKind, 'not_sent');
    assert.match(outcome!.failureReason!, /^step 1 'b' \(target self\) was not sent: its command could not be built: no item in \{"made":"a"\}/);
    assert.deepEqual(rows(log, outcome!.sagaId), ['0 a compensated', '1 undo a succeeded undoes 0']);
    log.close();
  });

  it('a first step that cannot be built: the saga row commits alone and nothing is sent', async () => {
    const { file, log } = openLog();
    const coordinator = new Coordinator(log, new Router(handlers(), null));
    const saga = defineSaga({
      name: 'bad_first',
      input: z.object({}),
      steps: [{ name: 'a', target: 'self', kind: 'read_only', command: () => ({ op: '' }) }],
    });
    let outcome;
    const commits = await commitsOf(file, async () => {
      outcome = await coordinator.run(saga, {});
    });
    // saga row, compensating, failed (nothing to undo).
    assert.equal(commits, 3);
    assert.equal(outcome!.state, 'failed');
    assert.equal(outcome!.failureKind, 'not_sent');
    assert.deepEqual(rows(log, outcome!.sagaId), []);
    log.close();
  });
});

describe('one commit per step, through a real peer', () => {
  it("a next step whose peer is unavailable: step i's outcome commits alone, step i+1 is not sent and has no row", async () => {
    requireBuild();
    const dir = tempDir();
    const flag = path.join(dir, 'host-down');
    let hostPid: () => number | undefined = () => undefined;
    const saga = defineSaga({
      name: 'host_goes_down',
      input: z.object({}),
      steps: [
        { ...compensatable('take_down'), command: () => ({ op: 'take_down' }), compensate: () => ({ op: 'bring_back' }) },
        { name: 'probe', target: 'host', kind: 'read_only', command: () => ({ op: 'probe' }) },
      ],
    });
    const sub = await startSagaSubsystem({
      userDataDir: dir,
      retention: false,
      // Commits are counted in the -wal; the worker's checkpoints would let SQLite start it over mid-count.
      checkpointWorker: false,
      sagas: [saga],
      peerStartupTimeoutMs: 1500,
      peerEnv: { HOST_DOWN_FLAG: flag },
      peers: { host: { entry: path.join(import.meta.dirname, 'fixtures', 'host-down-after-flag.cjs') } },
      self: {
        // Step 0 takes host down for good and returns once main has seen it go: step 1 must find it unavailable.
        take_down: async () => {
          const pid = hostPid()!;
          fs.writeFileSync(flag, '');
          process.kill(pid, 'SIGKILL');
          while (sub.peerStatus().find((p) => p.name === 'host')?.pid === pid) await new Promise((r) => setTimeout(r, 10));
          return { down: pid };
        },
        bring_back: () => ({ back: false }),
      },
    });
    hostPid = () => sub.peerStatus().find((p) => p.name === 'host')?.pid;
    const file = path.join(dir, LOG_FILE_NAME);
    try {
      let outcome;
      const commits = await commitsOf(file, async () => {
        outcome = await sub.run(saga, {});
      });
      assert.equal(outcome!.state, 'failed');
      assert.equal(outcome!.failureKind, 'not_sent');
      assert.match(outcome!.failureReason!, /^step 1 'probe' \(target host\) was not sent: peer host is not available/);
      assert.deepEqual(rows(sub.log, outcome!.sagaId), ['0 take_down compensated', '1 undo take_down succeeded undoes 0']);
      // saga+pending 0 (host was up at start, so ready at once), outcome 0 alone, compensating, undo pending, undo done, failed.
      assert.equal(commits, 6);
    } finally {
      await sub.shutdown();
    }
  });
});
