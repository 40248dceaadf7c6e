// A workspace session, as host starts it per open workspace. It holds nothing yet but its own
// life, answers stop, and ends when host goes away. One module for both session modes (see
// session-mode.ts): a forked process talks over process IPC, a worker thread over parentPort.
import { isMainThread, parentPort } from 'node:worker_threads';
import { PARENT_PID_ENV, parentPidFromEnv, watchParent } from '../index';

interface HostChannel {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

function hostChannel(): HostChannel | null {
  if (!isMainThread && parentPort) {
    const port = parentPort;
    // A thread ends with host's process: there is no parent to watch.
    return { post: (m) => port.postMessage(m), onMessage: (l) => port.on('message', l) };
  }
  if (process.send) {
    watchParent(parentPidFromEnv(PARENT_PID_ENV), () => process.exit(0));
    // A send that fails (EPIPE) means host is already gone: leave quietly, as if it had said stop.
    process.on('error', () => process.exit(0));
    return {
      post: (m) => {
        if (process.connected) process.send!(m);
      },
      onMessage: (l) => process.on('message', l),
    };
  }
  return null;
}

const channel = hostChannel();
if (!channel) {
  process.stderr.write('session-process: started without a channel to host; it is started by host, not by hand\n');
  process.exit(2);
}
channel.onMessage((m: unknown) => {
  // In a worker thread process.exit ends only the thread, never host.
  if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'stop') process.exit(0);
});
channel.post({ type: 'ready', pid: process.pid });
