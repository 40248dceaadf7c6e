import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { parseCrashSpec } from '../../src-main/saga/crash-points';
import { SagaDefinitionError, defineSaga } from '../../src-main/saga/define-saga';
import { REDACTED, redact } from '../../src-main/saga/redaction';

const noop = () => ({ op: 'noop' });

describe('defineSaga', () => {
  it('accepts read-only, compensatable and final steps in that order', () => {
    const def = defineSaga({
      name: 'ok_saga',
      input: z.object({ n: z.number() }),
      steps: [
        { name: 'look', target: 'srv', kind: 'read_only', command: noop },
        { name: 'make', target: 'host', kind: 'compensatable', command: noop, compensate: noop },
        { name: 'commit', target: 'self', kind: 'final', command: noop },
        { name: 'announce', target: 'srv', kind: 'final', command: noop },
      ],
    });
    assert.equal(def.steps.length, 4);
    assert.deepEqual(def.sensitive, []);
  });

  it('rejects a compensatable step without a compensation, naming it', () => {
    assert.throws(
      () =>
        defineSaga({
          name: 'bad_saga',
          input: z.object({}),
          steps: [{ name: 'make', target: 'host', kind: 'compensatable', command: noop }],
        }),
      (err: unknown) =>
        err instanceof SagaDefinitionError && err.message === "saga 'bad_saga': step 0 'make' is compensatable but has no compensation",
    );
  });

  it('rejects a non-final step after a final one, naming both', () => {
    assert.throws(
      () =>
        defineSaga({
          name: 'bad_order',
          input: z.object({}),
          steps: [
            { name: 'commit', target: 'srv', kind: 'final', command: noop },
            { name: 'look', target: 'srv', kind: 'read_only', command: noop },
          ],
        }),
      /step 1 'look' is read_only but comes after final step 0 'commit'; final steps must come last/,
    );
  });

  it('rejects names a crash point could not address, repeated steps, an undo on a read-only step, bad deadlines', () => {
    const step = { name: 'a', target: 'self', kind: 'read_only', command: noop } as const;
    assert.throws(() => defineSaga({ name: 'has:colon', input: z.object({}), steps: [step] }), /lower_snake_case/);
    assert.throws(() => defineSaga({ name: 'empty', input: z.object({}), steps: [] }), /at least one step/);
    assert.throws(() => defineSaga({ name: 'twice', input: z.object({}), steps: [step, step] }), /repeats a step name/);
    assert.throws(
      () => defineSaga({ name: 'undo_ro', input: z.object({}), steps: [{ ...step, compensate: noop }] }),
      /read_only but has a compensation/,
    );
    assert.throws(() => defineSaga({ name: 'dl', input: z.object({}), steps: [{ ...step, deadlineMs: 0 }] }), /deadlineMs 0/);
  });
});

describe('redaction', () => {
  it('replaces only the named top-level fields and leaves the original untouched', () => {
    const value = { user: 'ann', token: 's3cret', nested: { token: 'kept' } };
    assert.deepEqual(redact(value, ['token']), { user: 'ann', token: REDACTED, nested: { token: 'kept' } });
    assert.equal(value.token, 's3cret');
    assert.equal(redact('plain', ['token']), 'plain');
  });
});

describe('LAUNCHER_CRASH_AT', () => {
  it('is inert when unset and parses saga, step and point', () => {
    assert.equal(parseCrashSpec(undefined), null);
    assert.equal(parseCrashSpec(''), null);
    assert.deepEqual(parseCrashSpec('open_workspace:2:after_dispatch'), {
      saga: 'open_workspace',
      stepIndex: 2,
      point: 'after_dispatch',
    });
  });

  it('refuses a malformed value or an unknown point instead of ignoring it', () => {
    assert.throws(() => parseCrashSpec('open_workspace:2'), /LAUNCHER_CRASH_AT='open_workspace:2' is not a crash point/);
    assert.throws(() => parseCrashSpec('open_workspace:1:sometime'), /points: before_pending, after_pending/);
  });
});
