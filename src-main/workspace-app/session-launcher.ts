// The two ways host starts a session (see session-mode.ts for why there are two). Both start
// the same built entry (session-process.js) and hand SessionManager one shape to drive.
import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { PARENT_PID_ENV } from '../index';
import type { SessionMode } from './session-mode';

export interface SessionHandle {
  /** The OS process the session runs in: its own under `fork`, host's under `thread`. */
  readonly pid: number | undefined;
  /** Asks the session to end; a session already gone is not an error. */
  askToStop(): void;
  /** Ends it without asking (it did not start, or did not stop in time). */
  kill(): void;
  onMessage(listener: (message: unknown) => void): () => void;
  /** `how` says why it ended ("code 0", "signal SIGKILL", or a start error). Called once. */
  onExit(listener: (how: string) => void): () => void;
}

export type SessionLauncher = (entryFile: string, args: string[]) => SessionHandle;

/** Adds a listener and returns its removal, for the start-up race in SessionManager. */
function listen<A extends unknown[]>(
  emitter: { on(e: string, l: (...a: A) => void): unknown; off(e: string, l: (...a: A) => void): unknown },
  event: string,
  listener: (...a: A) => void,
): () => void {
  emitter.on(event, listener);
  return () => void emitter.off(event, listener);
}

/** The end of a session, told once to every listener, including those who subscribe after it. */
function endOnce(): { ended: () => string | null; end: (how: string) => void; onExit: SessionHandle['onExit'] } {
  let ended: string | null = null;
  const listeners = new Set<(how: string) => void>();
  return {
    ended: () => ended,
    end(how) {
      if (ended !== null) return;
      ended = how;
      for (const l of [...listeners]) l(how);
    },
    onExit(l) {
      if (ended !== null) {
        const how = ended;
        queueMicrotask(() => l(how));
        return () => {};
      }
      listeners.add(l);
      return () => void listeners.delete(l);
    },
  };
}

const forkSession: SessionLauncher = (entryFile, args) => {
  const child = fork(entryFile, args, {
    execPath: process.execPath,
    // Not host's own flags (a test runner's --import tsx, --inspect): the session is built JavaScript.
    execArgv: [],
    // The session watches host's pid, so a SIGKILLed host leaves no session behind.
    env: { ...process.env, [PARENT_PID_ENV]: String(process.pid) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const { end, onExit } = endOnce();
  child.once('exit', (code, signal) => end(signal ? `signal ${signal}` : `code ${code}`));
  // A spawn failure emits 'error' and may never emit 'exit'.
  child.on('error', (err) => {
    if (child.pid === undefined) end(err.message);
  });
  return {
    get pid() {
      return child.pid;
    },
    askToStop() {
      if (child.connected) child.send({ type: 'stop' });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    onMessage: (l) => listen(child, 'message', l),
    onExit,
  };
};

const threadSession: SessionLauncher = (entryFile, args) => {
  // No PARENT_PID_ENV: a worker cannot outlive the process it runs in.
  const worker = new Worker(entryFile, { argv: args, execArgv: [] });
  const { ended, end, onExit } = endOnce();
  let lastError: string | null = null;
  // An uncaught error in the worker (a missing entry, a throw at load) comes before 'exit'.
  worker.on('error', (err) => {
    lastError = err.message;
  });
  worker.once('exit', (code) => end(lastError ?? `code ${code}`));
  return {
    pid: process.pid,
    askToStop() {
      if (ended() === null) worker.postMessage({ type: 'stop' });
    },
    kill() {
      if (ended() === null) void worker.terminate();
    },
    onMessage: (l) => listen(worker, 'message', l),
    onExit,
  };
};

export function sessionLauncher(mode: SessionMode): SessionLauncher {
  return mode === 'thread' ? threadSession : forkSession;
}
