// Reconciliation reads the steps it asks about a page at a time; the pages, joined, are exactly
// the one full read, in (saga, step) order, with nothing repeated or skipped at a page's edge.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { tempDir } from '../helpers/temp-dir';

test('steps to reconcile, read in pages of any size, are the full read', () => {
  const log = SagaLog.open(path.join(tempDir('to-reconcile-'), LOG_FILE_NAME));
  try {
    // 150 interrupted sagas; every third has two steps in flight, so pages end inside a saga too.
    for (let i = 0; i < 150; i++) {
      const id = log.startSaga({ name: 'open_workspace', inputJson: '{}', firstStep: { name: 'a', target: 'srv', cmdJson: '{"op":"a"}' } });
      if (i % 3 === 0) log.startStep({ sagaId: id, stepIndex: 1, name: 'b', target: 'host', cmdJson: '{"op":"b"}' });
    }
    const done = log.startSaga({ name: 'open_workspace', inputJson: '{}', firstStep: { name: 'a', target: 'srv', cmdJson: '{}' } });
    log.finishLastStep(done, 0, '{}');
    log.recoverInterrupted({ bootId: 'boot-1', movedAside: [], plan: (u) => u.map((s) => ({ sagaId: s.sagaId, name: s.name, reason: 'r', steps: [] }) as never) });
    const all = log.stepsToReconcile();
    assert.equal(all.length, 200);
    for (const size of [1, 7, 50, 199, 200, 500]) {
      const paged = [];
      for (let page = log.stepsToReconcile(null, size); ; page = log.stepsToReconcile(paged.at(-1)!, size)) {
        assert.ok(page.length <= size);
        paged.push(...page);
        if (page.length < size) break;
      }
      assert.deepEqual(paged, all, `pages of ${size}`);
    }
  } finally {
    log.close();
  }
});
