// The engine through real host and srv processes (forked from dist/): the domain saga across
// all three targets, LIFO compensation checked from the log and from the peers' own state,
// a failing undo, a killed peer, a hung peer, garbage, idempotency keys, write-ahead, concurrency.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { LOG_FILE_NAME, defineSaga } from '../../src-main/index';
import { OPEN_STEPS, openWorkspace } from '../../src-main/workspace-app/workspace-sagas';
import { type TestEngine, isAlive, rows, startTestEngine, tempDir, waitForExit } from './helpers';

let e: TestEngine;
before(async () => {
  e = await startTestEngine();
});
after(async () => {
  await e.close();
});

/** Asks a peer directly (a read-only op), as an operator's tool would. */
async function ask(target: 'host' | 'srv', op: string, fields: Record<string, unknown> = {}): Promise<unknown> {
  const { generation } = await e.peers.ready(target);
  const r = await e.peers.request(target, generation, { sagaId: 1, stepIndex: 0, command: { op, ...fields }, idempotencyKey: null, deadlineMs: 5000 });
  if (!r.ok) throw new Error(r.failure.message);
  return r.output;
}

const workspaces = async () => (await ask('srv', 'list_workspaces')) as { workspaces: { workspaceId: string; name: string; state: string; publishedAt: string | null }[]; publications: number };
const sessions = async () => ((await ask('host', 'list_sessions')) as { sessions: { sessionId: string; pid: number }[] }).sessions;

let seq = 0;
const openInput = (extra: Record<string, unknown> = {}) => ({ name: `ws-${process.pid}-${++seq}`, owner: 'tester', accessToken: 'tok-secret', ...extra });

describe('engine through real peers', () => {
  it('open_workspace spans srv, host and self, records peer generations and the final key, and really does it', async () => {
    const input = openInput();
    const out = await e.coordinator.run(openWorkspace, input);
    assert.equal(out.state, 'completed', out.failureReason ?? '');
    const d = e.log.saga(out.sagaId)!;
    assert.deepEqual(d.steps.map((s) => [s.name, s.target, s.state]), [
      ['create_workspace', 'srv', 'succeeded'],
      ['start_session', 'host', 'succeeded'],
      ['register_panel_view', 'self', 'succeeded'],
      ['publish_workspace', 'srv', 'succeeded'],
    ]);
    assert.deepEqual(d.steps.map((s) => s.peerGeneration), [e.peers.generation('srv'), e.peers.generation('host'), null, e.peers.generation('srv')]);
    assert.match(d.steps[3]!.idempotencyKey ?? '', /^[A-Za-z0-9_-]{22}$/);
    assert.doesNotMatch(JSON.stringify(d), /tok-secret/);
    const [ws, session, view] = out.outputs as [{ workspaceId: string }, { sessionId: string; pid: number }, { viewId: string }];
    const stored = (await workspaces()).workspaces.find((w) => w.workspaceId === ws.workspaceId);
    assert.equal(stored?.name, input.name);
    assert.notEqual(stored?.publishedAt, null);
    assert.ok(isAlive(session.pid), 'the session process runs');
    assert.ok((await sessions()).some((s) => s.sessionId === session.sessionId));
    assert.ok(e.panelViews.list().some((v) => v.viewId === view.viewId));
  });

  for (const failAt of [0, 1, 2, 3]) {
    it(`a failure at step ${failAt} undoes what was done, newest first, in the log and in the peers`, async () => {
      const before = { ws: (await workspaces()).workspaces.length, sessions: (await sessions()).length, views: e.panelViews.list().length };
      const out = await e.runFaulty(openWorkspace, openInput(), { [OPEN_STEPS[failAt]!]: 'error' });
      assert.equal(out.state, 'failed');
      const expected = [
        ...OPEN_STEPS.slice(0, failAt).map((n, i) => `${i} ${n} compensated`),
        `${failAt} ${OPEN_STEPS[failAt]} failed`,
        ...Array.from({ length: failAt }, (_, k) => `${failAt + 1 + k} undo ${OPEN_STEPS[failAt - 1 - k]} succeeded undoes ${failAt - 1 - k}`),
      ];
      assert.deepEqual(rows(e.log, out.sagaId), expected);
      assert.match(out.failureReason!, new RegExp(`step ${failAt} '${OPEN_STEPS[failAt]}' .* failed: injected failure`));
      assert.equal((await workspaces()).workspaces.length, before.ws, 'the workspace was deleted again');
      assert.equal((await sessions()).length, before.sessions, 'the session was stopped again');
      assert.equal(e.panelViews.list().length, before.views, 'the panel view was unregistered again');
    });
  }

  it('an undo that fails in a peer ends failed_compensation naming it; the other undos still happen', async () => {
    const out = await e.runFaulty(openWorkspace, openInput(), { publish_workspace: 'error', stop_session: 'error' });
    assert.equal(out.state, 'failed_compensation');
    assert.deepEqual(rows(e.log, out.sagaId), [
      '0 create_workspace compensated',
      '1 start_session succeeded',
      '2 register_panel_view compensated',
      '3 publish_workspace failed',
      '4 undo register_panel_view succeeded undoes 2',
      '5 undo start_session failed undoes 1',
      '6 undo create_workspace succeeded undoes 0',
    ]);
    assert.match(e.log.saga(out.sagaId)!.failureReason!, /; then the undo of step 1 'start_session' \(target host\) failed: injected failure of 'stop_session'/);
    // The session the failed undo left behind is still there for the operator to see; stop it here.
    const sessionId = (out.outputs[1] as { sessionId: string }).sessionId;
    assert.ok((await sessions()).some((s) => s.sessionId === sessionId));
    await ask('host', 'stop_session', { sessionId });
  });

  it('a peer killed mid-step fails the step with the exit reason; the undo goes to its next generation', async () => {
    const genBefore = e.peers.generation('srv');
    const pid = e.peers.pid('srv')!;
    let killed = false;
    const unsubscribe = e.coordinator.events.subscribe((c) => {
      // The publish step's pending row is written and the request is on its way: kill srv for real.
      if (c.stepIndex === 3 && c.state === 'running' && !killed) {
        killed = true;
        setImmediate(() => process.kill(pid, 'SIGKILL'));
      }
    });
    const out = await e.runFaulty(openWorkspace, openInput(), { publish_workspace: 'hang' });
    unsubscribe();
    assert.equal(out.state, 'failed');
    assert.match(out.failureReason!, new RegExp(`step 3 'publish_workspace' \\(target srv\\) failed: peer srv \\(generation ${genBefore}, pid ${pid}\\) exited with signal SIGKILL`));
    const d = e.log.saga(out.sagaId)!;
    assert.equal(d.steps[0]!.peerGeneration, genBefore);
    assert.equal(d.steps[3]!.peerGeneration, genBefore);
    const undoCreate = d.steps.find((s) => s.compensatesIndex === 0)!;
    assert.equal(undoCreate.state, 'succeeded');
    assert.equal(undoCreate.peerGeneration, genBefore + 1, 'the undo was sent to the restarted srv');
    assert.equal(e.peers.generation('srv'), genBefore + 1);
  });

  it('a hung peer fails the step with "timed out", is found hung and restarted', async () => {
    const hang = defineSaga({
      name: 'hang_host',
      input: z.object({}),
      steps: [{ name: 'stall', target: 'host', kind: 'read_only', command: () => ({ op: 'noop' }), deadlineMs: 300 }],
    });
    const gen = e.peers.generation('host');
    const pid = e.peers.pid('host')!;
    const out = await e.runFaulty(hang, {}, { noop: 'hang' });
    assert.equal(out.failureKind, 'deadline');
    assert.equal(out.state, 'failed');
    assert.match(out.failureReason!, new RegExp(`failed: peer host \\(generation ${gen}, pid ${pid}\\) timed out after 300ms`));
    assert.ok(await waitForExit(pid), 'the hung host was killed');
    assert.equal((await e.peers.ready('host')).generation, gen + 1);
  });

  it('a peer that answers garbage fails the step saying so and is restarted', async () => {
    const garbage = defineSaga({
      name: 'garbage_srv',
      input: z.object({}),
      steps: [{ name: 'babble', target: 'srv', kind: 'read_only', command: () => ({ op: 'noop' }) }],
    });
    const gen = e.peers.generation('srv');
    const pid = e.peers.pid('srv')!;
    const out = await e.runFaulty(garbage, {}, { noop: 'garbage' });
    assert.equal(out.failureKind, 'peer_garbage');
    assert.equal(out.state, 'failed');
    assert.match(out.failureReason!, new RegExp(`peer srv \\(generation ${gen}, pid ${pid}\\) answered garbage: .*"ok":"perhaps"`));
    assert.ok(await waitForExit(pid));
    assert.equal((await e.peers.ready('srv')).generation, gen + 1);
  });

  it('a step cut off by a restart another request caused says so and names that saga and step', async () => {
    const slow = defineSaga({
      name: 'slow_host',
      input: z.object({}),
      // start_session forks a session and waits for it: long enough for the garbage to overtake it.
      steps: [{ name: 'start', target: 'host', kind: 'read_only', op: 'start_session', command: () => ({ op: 'start_session', workspaceId: 'cut-off' }) }],
    });
    const babble = defineSaga({
      name: 'garbage_host',
      input: z.object({}),
      steps: [{ name: 'babble', target: 'host', kind: 'read_only', command: () => ({ op: 'noop' }) }],
    });
    const gen = e.peers.generation('host');
    const victim = e.coordinator.start(slow, {});
    const culprit = await e.runFaulty(babble, {}, { '#0': 'garbage' });
    const cut = await victim.done;
    assert.equal(culprit.failureKind, 'peer_garbage');
    assert.equal(cut.state, 'failed');
    assert.equal(cut.failureKind, 'peer_restarted');
    assert.match(cut.failureReason!, new RegExp(`peer host \\(generation ${gen}, pid \\d+\\) was restarted because of saga ${culprit.sagaId} step 0 \\(its request got a garbage reply\\)`));
    assert.doesNotMatch(cut.failureReason!, /perhaps/, "the other saga's garbage is not quoted as this step's reply");
    const step = e.log.saga(cut.sagaId)!.steps[0]!;
    assert.equal(step.failureKind, 'peer_restarted');
    assert.equal(e.log.saga(culprit.sagaId)!.steps[0]!.failureKind, 'peer_garbage');
  });

  it("a final step's idempotency key is applied once, even when sent again to a restarted srv", async () => {
    const out = await e.coordinator.run(openWorkspace, openInput());
    assert.equal(out.state, 'completed');
    const publish = e.log.saga(out.sagaId)!.steps[3]!;
    const first = out.outputs[3] as { publicationId: number };
    const publicationsBefore = (await workspaces()).publications;
    const resend = async () => {
      const { generation } = await e.peers.ready('srv');
      return e.peers.request('srv', generation, {
        sagaId: out.sagaId,
        stepIndex: 3,
        command: JSON.parse(publish.cmdJson!),
        idempotencyKey: publish.idempotencyKey,
        deadlineMs: 5000,
      });
    };
    assert.deepEqual(await resend(), { ok: true, output: first });
    const oldPid = e.peers.pid('srv')!;
    process.kill(oldPid, 'SIGKILL');
    assert.ok(await waitForExit(oldPid));
    assert.deepEqual(await resend(), { ok: true, output: first }, 'the key survived the restart');
    assert.equal((await workspaces()).publications, publicationsBefore, 'no second publication');
  });

  it('100 sagas through the peers at once: unique ids, each history consistent, no interleaving errors', async () => {
    const mixed = defineSaga({
      name: 'mixed',
      input: z.object({ fail: z.boolean() }),
      steps: [
        { name: 'on_srv', target: 'srv', kind: 'compensatable', command: () => ({ op: 'noop' }), compensate: () => ({ op: 'noop' }) },
        { name: 'on_host', target: 'host', kind: 'compensatable', command: () => ({ op: 'noop' }), compensate: () => ({ op: 'noop' }) },
        { name: 'on_self', target: 'self', kind: 'read_only', command: () => ({ op: 'noop' }) },
        { name: 'done', target: 'srv', kind: 'final', command: () => ({ op: 'noop' }) },
      ],
    });
    const outs = await Promise.all(
      Array.from({ length: 100 }, (_, i) => e.runFaulty(mixed, { fail: i % 5 === 0 }, i % 5 === 0 ? { '#2': 'error' } : {})),
    );
    assert.equal(new Set(outs.map((o) => o.sagaId)).size, 100);
    for (const [i, o] of outs.entries()) {
      if (i % 5 === 0) {
        assert.equal(o.state, 'failed', o.failureReason ?? '');
        assert.deepEqual(rows(e.log, o.sagaId), [
          '0 on_srv compensated',
          '1 on_host compensated',
          '2 on_self failed',
          '3 undo on_host succeeded undoes 1',
          '4 undo on_srv succeeded undoes 0',
        ]);
      } else {
        assert.equal(o.state, 'completed', o.failureReason ?? '');
        assert.deepEqual(rows(e.log, o.sagaId), ['0 on_srv succeeded', '1 on_host succeeded', '2 on_self succeeded', '3 done succeeded']);
      }
    }
  });
});

describe('write-ahead through a peer', () => {
  it('a srv step whose pending row cannot be written never reaches srv', async () => {
    const dir = tempDir();
    // Create the log, then reopen it capped at its current size so a large command cannot be recorded.
    const probe = await startTestEngine({ dir });
    await probe.shutdown(1000);
    const pages = fs.statSync(path.join(dir, LOG_FILE_NAME)).size / 4096;
    const capped = await startTestEngine({ dir, maxPageCount: pages });
    try {
      const big = defineSaga({
        name: 'big_create',
        input: z.object({}),
        steps: [{
          name: 'create_workspace',
          target: 'srv',
          kind: 'compensatable',
          command: () => ({ op: 'create_workspace', name: 'never-created', owner: 'x', accessToken: null, padding: 'x'.repeat(64 * 1024) }),
          compensate: () => ({ op: 'noop' }),
        }],
      });
      const out = await capped.coordinator.run(big, {});
      assert.equal(out.state, 'failed');
      assert.match(out.failureReason!, /was not sent: the log could not record .* as pending/);
      assert.deepEqual(rows(capped.log, out.sagaId), []);
      const { generation } = await capped.peers.ready('srv');
      const list = await capped.peers.request('srv', generation, { sagaId: 1, stepIndex: 0, command: { op: 'list_workspaces' }, idempotencyKey: null, deadlineMs: 5000 });
      assert.deepEqual(list, { ok: true, output: { workspaces: [], publications: 0 } });
    } finally {
      await capped.close();
    }
  });
});
