// A second launch while the first instance boots (src-main/electron/second-launch-queue.ts):
// held, then answered once the windows are open, in arrival order; never dropped, never twice.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type SecondLaunchAction, createSecondLaunchQueue, secondLaunchAction } from '../../src-main/electron/second-launch-queue';

function recordingQueue() {
  const applied: SecondLaunchAction[] = [];
  return { applied, queue: createSecondLaunchQueue((a) => applied.push(a)) };
}

describe('second launch queue', () => {
  test('requests made while booting wait, then are all answered in order once ready', () => {
    const { applied, queue } = recordingQueue();
    queue.request({ sagaPanel: true });
    queue.request({ sagaPanel: false });
    assert.deepEqual(applied, [], 'nothing is answered before the windows exist');
    assert.equal(queue.pending, 2);
    queue.ready();
    assert.deepEqual(applied, ['open_panel', 'focus']);
    assert.equal(queue.pending, 0);
  });

  test('after boot a request is answered at once; a second ready() answers nothing again', () => {
    const { applied, queue } = recordingQueue();
    queue.request({ sagaPanel: true });
    queue.ready();
    queue.request({ sagaPanel: false });
    queue.ready();
    assert.deepEqual(applied, ['open_panel', 'focus']);
  });

  test('a boot with no second launch answers nothing', () => {
    const { applied, queue } = recordingQueue();
    queue.ready();
    assert.deepEqual(applied, []);
  });

  test('data that does not parse is still a launch: it brings the app forward', () => {
    for (const bad of [undefined, null, 'panel', { sagaPanel: 'yes' }, { other: true }, []]) {
      assert.equal(secondLaunchAction(bad), 'focus', JSON.stringify(bad));
    }
    assert.equal(secondLaunchAction({ sagaPanel: true }), 'open_panel');
    const { applied, queue } = recordingQueue();
    queue.request('garbage');
    queue.ready();
    assert.deepEqual(applied, ['focus']);
  });
});
