// srv's store on a real SQLite file: its statements are prepared once and reused across calls,
// so every operation is run more than once here.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { WORKSPACE_STORE_FILE, WorkspaceStore } from '../../src-main/workspace-app/workspace-store';
import { tempDir } from '../helpers/temp-dir';

describe('workspace store', () => {
  test('create, publish once per key, archive, delete and list, twice over; receipts commit with effects', () => {
    const store = new WorkspaceStore(path.join(tempDir('workspace-store-'), WORKSPACE_STORE_FILE));
    try {
      for (const name of ['one', 'two']) {
        const { workspaceId } = store.create(name, 'alice', 'secret');
        assert.throws(() => store.create(name, 'bob', null), new RegExp(`a workspace named '${name}' already exists`));
        const sagaId = name === 'one' ? 1 : 2;
        const draft = { sagaId, stepIndex: 3, attempt: 1, op: 'publish_workspace', idempotencyKey: `key-publish-${name}` };
        const first = store.publish(workspaceId, draft);
        // The same key again, as a retried final step would carry it, answers from the receipt.
        assert.deepEqual(store.publish(workspaceId, { ...draft, attempt: 2 }), first, 'a key is applied once');
        assert.deepEqual(store.receipts.byKey(`key-publish-${name}`), { output: first });
        assert.deepEqual(
          store.receipts.forSteps([{ sagaId, stepIndex: 3 }]).map((r) => [r.attempt, r.op, r.outcome, r.durability]),
          [[1, 'publish_workspace', 'succeeded', 'atomic']],
          'one receipt, recorded with the effect; the answered retry adds none',
        );
        store.archive(workspaceId, null);
        assert.throws(() => store.archive(workspaceId, null), /is already archived/);
        assert.equal(store.get(workspaceId).state, 'archived');
      }
      const listed = store.list();
      assert.deepEqual(listed.workspaces.map((w) => [w.name, w.state]), [['one', 'archived'], ['two', 'archived']]);
      assert.equal(listed.publications, 2);
      const id = listed.workspaces[0]!.workspaceId;
      assert.deepEqual(store.delete(id), { workspaceId: id, deleted: true });
      assert.deepEqual(store.delete(id), { workspaceId: id, deleted: false });
      assert.throws(() => store.get(id), /no workspace/);
      // A failed effect leaves no receipt: its transaction rolled back with it.
      store.create('three', 'alice', null);
      assert.throws(() => store.create('three', 'bob', null, { sagaId: 9, stepIndex: 0, attempt: 1, op: 'create_workspace', idempotencyKey: null }));
      assert.deepEqual(store.receipts.forSteps([{ sagaId: 9, stepIndex: 0 }]), []);
    } finally {
      store.close();
    }
  });
});
