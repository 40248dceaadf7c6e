// Entry of the host peer process (dist/peers/host.js).
import path from 'node:path';
import { hostHandlers } from '../domain/host-handlers';
import { SessionManager } from '../domain/session-manager';
import { sessionModeFromEnv } from '../domain/session-mode';
import { JsonKeyStore } from './json-key-store';
import { parsePeerArgs } from './peer-args';
import { runPeer } from './peer-runtime';

export const HOST_KEYS_FILE = 'host-applied-keys.json';

try {
  const args = parsePeerArgs('host', process.argv.slice(2));
  const sessionEntry = args['session-entry'];
  if (!sessionEntry) throw new Error('--session-entry is required');
  const sessions = new SessionManager(sessionEntry, sessionModeFromEnv(process.env));
  runPeer({
    name: 'host',
    handlers: hostHandlers(sessions),
    keyStore: new JsonKeyStore(path.join(args['user-data-dir'], HOST_KEYS_FILE)),
    onShutdown: () => sessions.stopAll(),
  });
} catch (err) {
  process.stderr.write(`peer host could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
