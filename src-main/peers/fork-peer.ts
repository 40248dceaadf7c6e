// SpawnPeer for plain Node: child_process.fork of the built peer entry with the same Node binary.
import { fork } from 'node:child_process';
import type { PeerChild, SpawnPeer } from './peer-transport';

export const spawnForkPeer: SpawnPeer = (request) => {
  const child = fork(request.entryFile, request.args, {
    execPath: process.execPath,
    // Not main's own flags (a test runner's --import tsx, --inspect): the peers are built JavaScript.
    execArgv: [],
    env: { ...process.env, ...request.env },
    // Structured clone, as Electron's utilityProcess uses, so both hosts see the same values.
    serialization: 'advanced',
    // stdout stays clean for the CLI's own output; a peer's diagnostics go to stderr.
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
  let exit: { code: number | null; signal: string | null } | null = null;
  const finish = (code: number | null, signal: string | null) => {
    if (exit) return;
    exit = { code, signal };
    for (const l of exitListeners.splice(0)) l(code, signal);
  };
  child.once('exit', (code, signal) => finish(code, signal));
  // A spawn failure (e.g. a missing binary) emits 'error' and may never emit 'exit'.
  child.on('error', (err) => {
    if (child.exitCode === null && child.signalCode === null && child.pid === undefined) finish(null, `spawn error: ${err.message}`);
  });
  const peer: PeerChild = {
    get pid() {
      return child.pid;
    },
    postMessage(message) {
      if (!child.connected) throw new Error('the channel to the peer is closed');
      child.send(message as never);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onExit(listener) {
      if (exit) queueMicrotask(() => listener(exit!.code, exit!.signal));
      else exitListeners.push(listener);
    },
    kill() {
      // SIGKILL: a peer being killed is hung or misbehaving; it must not get to run more code.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
  return peer;
};
