// The coordinator against a real log file, with self steps only (no peers): ordering,
// LIFO compensation, deadlines, cancellation, the write-ahead rule, concurrency, shutdown.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { z } from 'zod';
import type { CommandHandler } from '../../src-main/saga/command';
import { Coordinator, SagaInputError, SagaRefusedError } from '../../src-main/saga/coordinator';
import { type StepDefinition, defineSaga } from '../../src-main/saga/define-saga';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { Router } from '../../src-main/saga/router';
import type { SagaChange } from '../../src-main/saga/saga-events';
import { SelfHandlers } from '../../src-main/saga/self-handlers';
import { rows, tempDir } from './helpers';

interface World {
  dir: string;
  log: SagaLog;
  coordinator: Coordinator;
  /** Every command a handler actually received, in order. */
  received: string[];
}

function world(options: { maxPageCount?: number; dir?: string } = {}): World {
  const dir = options.dir ?? tempDir();
  const log = SagaLog.open(path.join(dir, LOG_FILE_NAME), options.maxPageCount ? { maxPageCount: options.maxPageCount } : {});
  const received: string[] = [];
  const record: CommandHandler = (c) => {
    // The test's own way to make a step fail: a field of its own commands, honoured by its own handler.
    if (c.fail === true) throw new Error(`injected failure of '${c.op}' (fault hook)`);
    received.push(`${c.op} ${String(c.item ?? '')}`);
    return { done: c.item ?? null };
  };
  const handlers = new SelfHandlers()
    .register('make', record)
    .register('unmake', (c) => {
      if (c.failUndo) throw new Error(`could not unmake ${String(c.item)}`);
      return record(c, undefined as never);
    })
    .register('commit', record)
    .register('wait_for_abort', (_c, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))));
  const coordinator = new Coordinator(log, new Router(handlers, null), { bootId: 'boot-test', defaultDeadlineMs: 2000 });
  return { dir, log, coordinator, received };
}

/** make a, make b, make c (each undoable), then a final commit; `failAt` makes that step fail. */
const ThreeInput = z.object({ failAt: z.number().int().optional(), failUndoOf: z.string().optional(), secret: z.string().optional() });
const makeStep = (item: string, i: number): StepDefinition<z.infer<typeof ThreeInput>> => ({
  name: `make_${item}`,
  target: 'self',
  kind: 'compensatable',
  command: ({ input }) => ({
    op: 'make',
    item,
    ...(input.failAt === i && { fail: true }),
    ...(input.failUndoOf === item && { failUndo: true }),
    ...(input.secret !== undefined && { secret: input.secret }),
  }),
  compensate: (cmd) => ({ op: 'unmake', item: cmd.item, failUndo: cmd.failUndo === true }),
});
const threeAndCommit = defineSaga({
  name: 'three_and_commit',
  input: ThreeInput,
  sensitive: ['secret'],
  steps: [
    makeStep('a', 0),
    makeStep('b', 1),
    makeStep('c', 2),
    { name: 'commit', target: 'self', kind: 'final', command: ({ input }) => ({ op: 'commit', item: 'all', ...(input.failAt === 3 && { fail: true }) }) },
  ],
});

let w: World;
beforeEach(() => {
  w = world();
});
afterEach(() => {
  w.log.close();
  fs.rmSync(w.dir, { recursive: true, force: true });
});

describe('coordinator (self steps, real log)', () => {
  it('runs every step in order, records each pending then succeeded, and completes', async () => {
    const changes: SagaChange[] = [];
    w.coordinator.events.subscribe((c) => changes.push(c));
    const out = await w.coordinator.run(threeAndCommit, {});
    assert.equal(out.state, 'completed');
    assert.deepEqual(w.received, ['make a', 'make b', 'make c', 'commit all']);
    const d = w.log.saga(out.sagaId)!;
    assert.equal(d.state, 'completed');
    assert.equal(d.bootId, 'boot-test');
    assert.equal(d.plannedSteps, 4);
    assert.deepEqual(d.steps.map((s) => [s.state, s.target, s.kind, s.peerGeneration]), [
      ['succeeded', 'self', 'compensatable', null],
      ['succeeded', 'self', 'compensatable', null],
      ['succeeded', 'self', 'compensatable', null],
      ['succeeded', 'self', 'final', null],
    ]);
    // Only the final step carries an idempotency key.
    assert.deepEqual(d.steps.map((s) => s.idempotencyKey !== null), [false, false, false, true]);
    // One change per write: saga row, 4 x (pending + outcome), completed.
    assert.equal(changes.length, 1 + 8 + 1);
    assert.deepEqual(changes.at(-1), { sagaId: out.sagaId, name: 'three_and_commit', state: 'completed', stepIndex: null });
  });

  for (const failAt of [0, 1, 2, 3]) {
    it(`a failure at step ${failAt} undoes the succeeded steps newest first, each undo its own row`, async () => {
      const out = await w.coordinator.run(threeAndCommit, { failAt });
      assert.equal(out.state, 'failed');
      assert.equal(out.failedStep, failAt);
      const made = ['a', 'b', 'c'].slice(0, failAt);
      assert.deepEqual(w.received, [...made.map((i) => `make ${i}`), ...[...made].reverse().map((i) => `unmake ${i}`)]);
      const names = ['make_a', 'make_b', 'make_c', 'commit'];
      const expected = [
        ...names.slice(0, failAt).map((n, i) => `${i} ${n} compensated`),
        `${failAt} ${names[failAt]} failed`,
        ...made.map((_, k) => {
          const undone = failAt - 1 - k;
          return `${failAt + 1 + k} undo ${names[undone]} succeeded undoes ${undone}`;
        }),
      ];
      assert.deepEqual(rows(w.log, out.sagaId), expected);
      const d = w.log.saga(out.sagaId)!;
      assert.equal(d.state, 'failed');
      assert.match(d.failureReason!, new RegExp(`^step ${failAt} '${names[failAt]}' \\(target self\\) failed: injected failure`));
      assert.deepEqual(out.compensated, [...Array(failAt).keys()].reverse());
    });
  }

  it('an undo that fails ends failed_compensation naming it, and the older undos still run', async () => {
    const out = await w.coordinator.run(threeAndCommit, { failAt: 3, failUndoOf: 'b' });
    assert.equal(out.state, 'failed_compensation');
    assert.deepEqual(w.received, ['make a', 'make b', 'make c', 'unmake c', 'unmake a']);
    assert.deepEqual(rows(w.log, out.sagaId), [
      '0 make_a compensated',
      '1 make_b succeeded',
      '2 make_c compensated',
      '3 commit failed',
      '4 undo make_c succeeded undoes 2',
      '5 undo make_b failed undoes 1',
      '6 undo make_a succeeded undoes 0',
    ]);
    const d = w.log.saga(out.sagaId)!;
    assert.equal(d.state, 'failed_compensation');
    assert.match(d.failureReason!, /step 3 'commit' \(target self\) failed: .*; then the undo of step 1 'make_b' \(target self\) failed: could not unmake b/);
  });

  it('bad input is refused with a clear error and writes nothing', async () => {
    await assert.rejects(
      w.coordinator.run(threeAndCommit, { failAt: 'soon' }),
      (err: unknown) => err instanceof SagaInputError && /invalid input for saga 'three_and_commit': failAt: /.test(err.message),
    );
    assert.equal(w.log.maxSagaId(), 0);
  });

  it('sensitive fields are redacted in the saga input and in step commands, but the handler gets the value', async () => {
    const out = await w.coordinator.run(threeAndCommit, { secret: 'hunter2' });
    const d = w.log.saga(out.sagaId)!;
    assert.doesNotMatch(JSON.stringify(d), /hunter2/);
    assert.equal(JSON.parse(d.inputJson).secret, '[redacted]');
    assert.equal(JSON.parse(d.steps[0]!.cmdJson!).secret, '[redacted]');
  });

  it('a step past its deadline fails with "timed out" and the earlier steps are undone', async () => {
    const slow = defineSaga({
      name: 'slow',
      input: z.object({}),
      steps: [
        { name: 'make_a', target: 'self', kind: 'compensatable', command: () => ({ op: 'make', item: 'a' }), compensate: () => ({ op: 'unmake', item: 'a' }) },
        { name: 'stall', target: 'self', kind: 'read_only', command: () => ({ op: 'wait_for_abort' }), deadlineMs: 50 },
      ],
    });
    const out = await w.coordinator.run(slow, {});
    assert.equal(out.state, 'failed');
    assert.match(out.failureReason!, /step 1 'stall' \(target self\) failed: 'wait_for_abort' in main timed out after 50ms/);
    assert.deepEqual(rows(w.log, out.sagaId), ['0 make_a compensated', '1 stall failed', '2 undo make_a succeeded undoes 0']);
  });

  it('an AbortSignal cancels the step in flight and the saga compensates', async () => {
    const waiting = defineSaga({
      name: 'waiting',
      input: z.object({}),
      steps: [
        { name: 'make_a', target: 'self', kind: 'compensatable', command: () => ({ op: 'make', item: 'a' }), compensate: () => ({ op: 'unmake', item: 'a' }) },
        { name: 'wait', target: 'self', kind: 'read_only', command: () => ({ op: 'wait_for_abort' }) },
        { name: 'never', target: 'self', kind: 'read_only', command: () => ({ op: 'make', item: 'never' }) },
      ],
    });
    const ac = new AbortController();
    const unsubscribe = w.coordinator.events.subscribe((c) => {
      // Next turn of the loop: the step's pending row is written and the handler is running.
      if (c.stepIndex === 1 && c.state === 'running') setImmediate(() => ac.abort(new Error('the user closed the dialog')));
    });
    const out = await w.coordinator.run(waiting, {}, { signal: ac.signal });
    unsubscribe();
    assert.equal(out.state, 'failed');
    assert.match(out.failureReason!, /step 1 'wait' \(target self\) failed: cancelled while running in main: the user closed the dialog/);
    assert.deepEqual(w.received, ['make a', 'unmake a']);
  });

  it('write-ahead: when the pending row cannot be written, the step is never dispatched and the saga fails', async () => {
    // A log capped at its current size: the saga row fits in existing pages, a large command does not.
    w.log.close();
    const pages = fs.statSync(path.join(w.dir, LOG_FILE_NAME)).size / 4096;
    w = world({ dir: w.dir, maxPageCount: pages });
    const big = defineSaga({
      name: 'big_command',
      input: z.object({}),
      steps: [
        { name: 'make_a', target: 'self', kind: 'compensatable', command: () => ({ op: 'make', item: 'a' }), compensate: () => ({ op: 'unmake', item: 'a' }) },
        { name: 'make_big', target: 'self', kind: 'read_only', command: () => ({ op: 'make', item: 'big', padding: 'x'.repeat(64 * 1024) }) },
      ],
    });
    const out = await w.coordinator.run(big, {});
    assert.deepEqual(w.received, ['make a', 'unmake a'], 'make big must never reach its handler');
    assert.equal(out.state, 'failed');
    assert.match(out.failureReason!, /step 1 'make_big' \(target self\) was not sent: the log could not record .* as pending: .*full/);
    assert.deepEqual(rows(w.log, out.sagaId), ['0 make_a compensated', '1 undo make_a succeeded undoes 0']);
  });

  it('100 sagas in flight at once each get their own id and a consistent history', async () => {
    const outs = await Promise.all(Array.from({ length: 100 }, (_, i) => w.coordinator.run(threeAndCommit, i % 4 === 0 ? { failAt: i % 3 } : {})));
    assert.equal(new Set(outs.map((o) => o.sagaId)).size, 100);
    for (const [i, o] of outs.entries()) {
      const d = w.log.saga(o.sagaId)!;
      if (i % 4 === 0) {
        assert.equal(d.state, 'failed');
        assert.equal(d.steps.filter((s) => s.compensatesIndex !== null).length, i % 3);
      } else {
        assert.equal(d.state, 'completed');
        assert.deepEqual(d.steps.map((s) => s.state), ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
      }
    }
    assert.equal(w.log.countInState('running') + w.log.countInState('compensating'), 0);
  });

  it('shutdown refuses new sagas, waits its grace, then leaves the rest for recovery without writing', async () => {
    const stuck = defineSaga({
      name: 'stuck',
      input: z.object({}),
      steps: [{ name: 'wait', target: 'self', kind: 'read_only', command: () => ({ op: 'wait_for_abort' }), deadlineMs: 300 }],
    });
    const quick = w.coordinator.start(threeAndCommit, {});
    const slow = w.coordinator.start(stuck, {});
    const result = await w.coordinator.shutdown(100);
    assert.deepEqual(result, { finished: 1, leftRunning: [slow.sagaId] });
    assert.equal((await quick.done).state, 'completed');
    assert.throws(() => w.coordinator.start(threeAndCommit, {}), (err: unknown) => err instanceof SagaRefusedError && /shutting down/.test(err.message));
    // The stuck step times out after shutdown: the coordinator writes nothing for it any more.
    const left = await slow.done;
    assert.match(left.leftForRecovery!, /left for launch-time recovery/);
    const d = w.log.saga(slow.sagaId)!;
    assert.equal(d.state, 'running');
    assert.deepEqual(d.steps.map((s) => s.state), ['pending']);
  });
});
