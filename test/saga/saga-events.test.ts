import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SagaEvents } from '../../src-main/saga/saga-events';

test('a listener that throws neither reaches the emitter nor starves the other listeners', () => {
  const events = new SagaEvents();
  const seen: number[] = [];
  events.subscribe(() => {
    throw new Error('panel went away');
  });
  events.subscribe((c) => seen.push(c.sagaId));
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarning);
  assert.doesNotThrow(() => events.emit({ sagaId: 7, name: 'x', state: 'running', stepIndex: null }));
  assert.deepEqual(seen, [7]);
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      process.off('warning', onWarning);
      assert.match(warnings.join('\n'), /listener threw: panel went away/);
      resolve();
    }),
  );
});
