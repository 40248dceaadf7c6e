// Entry of the workspace app's host peer (dist/peers/host.js): session processes per workspace.
import path from 'node:path';
import { runPeer } from '../index';
import { FaultPlan, withFaults } from './fault-plan';
import { hostHandlers } from './host-handlers';
import { SessionManager } from './session-manager';
import { sessionModeFor } from './session-mode';

void runPeer({
  name: 'host',
  setup: (context) => {
    // Sessions are built beside this entry: dist/peers/session-process.js.
    const sessions = new SessionManager(path.join(__dirname, 'session-process.js'), sessionModeFor(context.processKind, process.env));
    return {
      handlers: withFaults(hostHandlers(sessions), new FaultPlan(context.userDataDir), 'peer'),
      onShutdown: () => sessions.stopAll(),
    };
  },
});
