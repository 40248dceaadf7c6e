// A workspace session: a real process host starts per open workspace. It holds nothing yet
// but its own life, answers stop, and exits when host (its parent) goes away.
import { PARENT_PID_ENV, parentPidFromEnv, watchParent } from '../peers/parent-watch';

if (!process.send) {
  process.stderr.write('session-process: started without a channel to host; it is started by host, not by hand\n');
  process.exit(2);
}
watchParent(parentPidFromEnv(PARENT_PID_ENV), () => process.exit(0));
// A send that fails (EPIPE) means host is already gone: leave quietly, as if it had said stop.
process.on('error', () => process.exit(0));
process.on('message', (m: unknown) => {
  if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'stop') process.exit(0);
});
process.send({ type: 'ready', pid: process.pid });
