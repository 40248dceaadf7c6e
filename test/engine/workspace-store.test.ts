// srv's store on a real SQLite file: its statements are prepared once and reused across calls,
// so every operation is run more than once here.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { WORKSPACE_STORE_FILE, WorkspaceStore } from '../../src-main/workspace-app/workspace-store';
import { tempDir } from '../helpers/temp-dir';

describe('workspace store', () => {
  test('create, publish once per key, archive, delete and list, twice over', () => {
    const store = new WorkspaceStore(path.join(tempDir('workspace-store-'), WORKSPACE_STORE_FILE));
    try {
      for (const name of ['one', 'two']) {
        const { workspaceId } = store.create(name, 'alice', 'secret');
        assert.throws(() => store.create(name, 'bob', null), new RegExp(`a workspace named '${name}' already exists`));
        const first = store.publish(workspaceId, `key-publish-${name}`);
        assert.deepEqual(store.publish(workspaceId, `key-publish-${name}`), first, 'a key is applied once');
        assert.deepEqual(store.lookup(`key-publish-${name}`), { output: first });
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
    } finally {
      store.close();
    }
  });
});
