// How the panel words times, durations and errors: pure functions, checked under Node.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explain } from '../../src-renderer/explain';
import { sagaDuration, utcTitle, wasInterrupted, zoneLabel } from '../../src-renderer/format';

const base = {
  state: 'failed_compensation' as const,
  startedAt: '2026-05-01T10:00:00.000Z',
  endedAt: '2026-05-01T10:00:04.500Z',
  lastActivityAt: '2026-05-01T10:00:00.300Z',
};

describe('panel wording', () => {
  test('an interrupted saga ran at least until its last step activity, not until the relaunch', () => {
    const interrupted = { ...base, failureReason: "interrupted while running, during step 1 'upload'" };
    assert.equal(wasInterrupted(interrupted), true);
    assert.equal(sagaDuration(interrupted), 'ran at least 300 ms, interrupted');
    assert.equal(sagaDuration({ ...interrupted, lastActivityAt: null }), 'ran at least 0 ms, interrupted');
    // A live undo that failed is not an interruption: its end is real.
    assert.equal(sagaDuration({ ...base, failureReason: 'compensation of step 0 failed' }), '4.5 s');
    assert.equal(sagaDuration({ ...base, state: 'running', endedAt: null, failureReason: null }, Date.parse(base.startedAt) + 2000), '2.0 s…');
  });

  test('times name their zone; the tooltip is UTC', () => {
    assert.match(zoneLabel(), /^UTC([+-]\d\d:\d\d)?$/);
    assert.equal(utcTitle('2026-05-01T10:00:00.123Z'), '2026-05-01 10:00:00 UTC');
    assert.equal(utcTitle('not a time'), 'not a time');
  });

  test('errors say what to do', () => {
    assert.equal(explain({ code: 'unreachable', message: 'The app did not answer saga:list: Failed to fetch.' }), 'The app is not running; relaunch it, and this tab reconnects.');
    assert.match(explain({ code: 'unreachable', message: 'the panel host answered 401: The panel token is missing or wrong.' }), /new panel address; open the address it printed/);
    assert.match(explain({ code: 'not_found', message: 'There is no saga 9 in the log.' }), /^There is no saga 9 in the log\. It may have been removed by retention/);
    assert.match(explain({ code: 'read_only', message: 'x' }), /Nothing can be saved/);
  });
});
