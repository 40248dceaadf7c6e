// The set of peer processes main runs (host and srv), started together and stopped together.
import path from 'node:path';
import { type PeerIdentity, PeerProcess, type PeerRequestInput, type PeerResult } from './peer-process';
import { PARENT_PID_ENV } from './parent-watch';
import type { PeerName, SpawnPeer } from './peer-transport';

export const PEER_NAMES: readonly PeerName[] = ['host', 'srv'];


export interface StartPeersOptions {
  /** Absolute path of the build output root; the peers are `<distDir>/peers/{host,srv,session-process}.js`. */
  distDir: string;
  /** The profile directory; srv and host keep their own stores in it. */
  userDataDir: string;
  spawnPeer: SpawnPeer;
  /** Extra environment for every peer (tests use it; the parent's environment is inherited by fork). */
  env?: Record<string, string>;
  startupTimeoutMs?: number;
  probeTimeoutMs?: number;
  stopTimeoutMs?: number;
  onGeneration?: (name: PeerName, generation: number, pid: number | undefined) => void;
}

export interface PeerStatus {
  name: PeerName;
  generation: number;
  pid: number | undefined;
}

export class Peers {
  private constructor(private readonly processes: ReadonlyMap<PeerName, PeerProcess>) {}

  static async start(options: StartPeersOptions): Promise<Peers> {
    if (!path.isAbsolute(options.distDir)) throw new Error(`distDir must be an absolute path, got '${options.distDir}'`);
    const peersDir = path.join(options.distDir, 'peers');
    const env = { [PARENT_PID_ENV]: String(process.pid), ...options.env };
    const argsFor: Record<PeerName, string[]> = {
      host: ['--user-data-dir', options.userDataDir, '--session-entry', path.join(peersDir, 'session-process.js')],
      srv: ['--user-data-dir', options.userDataDir],
    };
    const processes = new Map<PeerName, PeerProcess>();
    for (const name of PEER_NAMES) {
      processes.set(
        name,
        new PeerProcess({
          name,
          spawnPeer: options.spawnPeer,
          entryFile: path.join(peersDir, `${name}.js`),
          args: argsFor[name],
          env,
          ...(options.startupTimeoutMs !== undefined && { startupTimeoutMs: options.startupTimeoutMs }),
          ...(options.probeTimeoutMs !== undefined && { probeTimeoutMs: options.probeTimeoutMs }),
          ...(options.stopTimeoutMs !== undefined && { stopTimeoutMs: options.stopTimeoutMs }),
          ...(options.onGeneration && { onGeneration: options.onGeneration }),
        }),
      );
    }
    const peers = new Peers(processes);
    try {
      await Promise.all([...processes.values()].map((p) => p.ready()));
    } catch (err) {
      await peers.stop();
      throw err;
    }
    return peers;
  }

  private peer(name: PeerName): PeerProcess {
    const p = this.processes.get(name);
    if (!p) throw new Error(`no peer named '${name}'`);
    return p;
  }

  /** The current generation of `name` (1 for the first process, +1 per restart). */
  generation(name: PeerName): number {
    return this.peer(name).generation;
  }

  pid(name: PeerName): number | undefined {
    return this.peer(name).pid;
  }

  /** Waits for a ready incarnation of `name`, restarting it if needed. */
  ready(name: PeerName): Promise<PeerIdentity> {
    return this.peer(name).ready();
  }

  request(name: PeerName, generation: number, req: PeerRequestInput): Promise<PeerResult> {
    return this.peer(name).request(generation, req);
  }

  status(): PeerStatus[] {
    return [...this.processes.values()].map((p) => ({ name: p.name, generation: p.generation, pid: p.pid }));
  }

  /** Stops every peer (asks, then kills after the stop timeout); none is restarted afterwards. */
  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((p) => p.stop()));
  }
}
