// Peers as Electron utility processes, behind the same SpawnPeer seam the Node host fills
// with child_process.fork. The `utilityProcess` module is a parameter: this file only needs
// Electron's types, and the option mapping is tested under Node.
//
// The peer side differs too: in a utility process messages arrive on process.parentPort
// ('message' with a MessageEvent whose .data is the payload) and go out through
// process.parentPort.postMessage, not process.on('message') / process.send.
import type { ForkOptions, UtilityProcess } from 'electron';
import { PEER_ENV, type PeerProcessKind } from '../peers/peer-env';
import type { PeerChild, PeerName, SpawnPeer, SpawnPeerRequest } from '../peers/peer-transport';

/** The part of Electron's `utilityProcess` module we use. */
export interface UtilityProcessModule {
  fork(modulePath: string, args?: string[], options?: ForkOptions): UtilityProcess;
}

/** The peer's environment: ours, minus unset entries, with the request's entries on top. */
export function peerEnv(base: NodeJS.ProcessEnv, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...extra };
}

export function utilityForkOptions(request: SpawnPeerRequest, baseEnv: NodeJS.ProcessEnv): ForkOptions {
  return {
    // Last, so nothing overrides it: with the runAsNode fuse off a utility process cannot fork
    // its binary as Node; the peer learns that it runs as a utility process from this.
    env: peerEnv(baseEnv, { ...request.env, [PEER_ENV.process]: 'utility' satisfies PeerProcessKind }),
    // Names the process in app.getAppMetrics() and in child-process-gone, where a crash shows up.
    serviceName: serviceNameOf(request.name),
    // Peers log to stderr; stdin must be 'ignore' for utility processes.
    stdio: ['ignore', 'inherit', 'inherit'],
  };
}

export function serviceNameOf(name: PeerName): string {
  return `launcher-saga ${name} peer`;
}

/** Adapts one UtilityProcess to PeerChild; 'exit' is the only end signal (it follows 'error'). */
class UtilityPeerChild implements PeerChild {
  private exited = false;
  private exitCode: number | null = null;

  constructor(
    private readonly name: PeerName,
    private readonly proc: UtilityProcess,
  ) {
    proc.once('exit', (code) => {
      this.exited = true;
      this.exitCode = code;
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  postMessage(message: unknown): void {
    // Electron drops a message to a dead utility process silently; the seam promises a throw.
    if (this.exited) throw new Error(`the ${this.name} peer has exited`);
    this.proc.postMessage(message);
  }

  onMessage(listener: (message: unknown) => void): void {
    this.proc.on('message', (message: unknown) => listener(message));
  }

  onExit(listener: (code: number | null, signal: string | null) => void): void {
    if (this.exited) {
      const code = this.exitCode;
      queueMicrotask(() => listener(code, null));
      return;
    }
    // Electron reports only a code, even for a process killed by a signal.
    this.proc.once('exit', (code) => listener(code, null));
  }

  kill(): void {
    if (!this.exited) this.proc.kill();
  }
}

/** The SpawnPeer of the Electron host. Call only after app 'ready' (utilityProcess requires it). */
export function createUtilityPeerSpawner(
  utilityProcess: UtilityProcessModule,
  baseEnv: NodeJS.ProcessEnv = process.env,
): SpawnPeer {
  return (request) =>
    new UtilityPeerChild(
      request.name,
      utilityProcess.fork(request.entryFile, request.args, utilityForkOptions(request, baseEnv)),
    );
}
