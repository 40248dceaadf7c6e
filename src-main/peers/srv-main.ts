// Entry of the srv peer process (dist/peers/srv.js).
import fs from 'node:fs';
import path from 'node:path';
import { srvHandlers } from '../domain/srv-handlers';
import { WORKSPACE_STORE_FILE, WorkspaceStore } from '../domain/workspace-store';
import { parsePeerArgs } from './peer-args';
import { runPeer } from './peer-runtime';

try {
  const args = parsePeerArgs('srv', process.argv.slice(2));
  fs.mkdirSync(args['user-data-dir'], { recursive: true });
  const store = new WorkspaceStore(path.join(args['user-data-dir'], WORKSPACE_STORE_FILE));
  runPeer({ name: 'srv', handlers: srvHandlers(store), keyStore: store, onShutdown: () => store.close() });
} catch (err) {
  process.stderr.write(`peer srv could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
