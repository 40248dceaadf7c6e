// Entry of the workspace app's srv peer (dist/peers/srv.js): workspaces in srv's own SQLite store,
// which also keeps each step's receipt (and a final step's idempotency key) in the effect's own transaction.
import fs from 'node:fs';
import path from 'node:path';
import { runPeer } from '../index';
import { FaultPlan, withFaults } from './fault-plan';
import { srvHandlers } from './srv-handlers';
import { WORKSPACE_STORE_FILE, WorkspaceStore } from './workspace-store';

void runPeer({
  name: 'srv',
  setup: (context) => {
    fs.mkdirSync(context.userDataDir, { recursive: true });
    const store = new WorkspaceStore(path.join(context.userDataDir, WORKSPACE_STORE_FILE));
    return {
      handlers: withFaults(srvHandlers(store), new FaultPlan(context.userDataDir), 'peer'),
      receipts: store.receipts,
      onShutdown: () => store.close(),
    };
  },
});
