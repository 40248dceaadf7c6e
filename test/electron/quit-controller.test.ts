import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createQuitController } from '../../src-main/electron/quit-controller';

function beforeQuitEvent() {
  const e = { prevented: false, preventDefault() { e.prevented = true; } };
  return e;
}

describe('orderly quit', () => {
  test('holds the first quit, shuts down with the grace, then quits once; later quits pass', async () => {
    const calls: string[] = [];
    let release!: () => void;
    const ctl = createQuitController({
      graceMs: 1234,
      shutdown: (grace) => {
        calls.push(`shutdown ${grace}`);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      quit: () => calls.push('quit'),
    });
    const first = beforeQuitEvent();
    ctl.onBeforeQuit(first);
    assert.equal(first.prevented, true);
    await Promise.resolve();
    // A second request while sagas drain must not cut the grace short or start another shutdown.
    const second = beforeQuitEvent();
    ctl.onBeforeQuit(second);
    assert.equal(second.prevented, true);
    assert.deepEqual(calls, ['shutdown 1234']);
    release();
    await ctl.done;
    assert.deepEqual(calls, ['shutdown 1234', 'quit']);
    const last = beforeQuitEvent();
    ctl.onBeforeQuit(last);
    assert.equal(last.prevented, false);
    assert.deepEqual(calls, ['shutdown 1234', 'quit']);
  });

  test('quits even when shutdown hangs past its grace, leaving the rest to recovery', async () => {
    let quits = 0;
    const ctl = createQuitController({
      graceMs: 10,
      slackMs: 10,
      shutdown: () => new Promise<void>(() => {}),
      quit: () => quits++,
    });
    ctl.onBeforeQuit(beforeQuitEvent());
    await ctl.done;
    assert.equal(quits, 1);
  });

  test('quits when shutdown fails, reporting the error', async () => {
    const errors: unknown[] = [];
    let quits = 0;
    const ctl = createQuitController({
      graceMs: 10,
      shutdown: async () => {
        throw new Error('peer did not stop');
      },
      quit: () => quits++,
      onError: (err) => errors.push(err),
    });
    ctl.onBeforeQuit(beforeQuitEvent());
    await ctl.done;
    assert.equal(quits, 1);
    assert.match(String(errors[0]), /peer did not stop/);
  });
});
