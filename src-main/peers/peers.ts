// The set of peer processes main runs (any subset of host and srv, each from the app's own entry
// file), started together and stopped together. Implements the engine's PeerPort.
import path from 'node:path';
import type { PeerPort, PeerReadiness, PeerRequestInput } from '../saga/dispatch';
import type { ReceiptPort, ReceiptsAnswer, StepRef } from '../saga/reconciliation';
import type { StepResult } from '../saga/step-failure';
import { PEER_ENV } from './peer-env';
import { PeerProcess } from './peer-process';
import type { PeerName, SpawnPeer } from './peer-transport';

export const PEER_NAMES: readonly PeerName[] = ['host', 'srv'];

export interface PeerEntry {
  /** Absolute path of the peer's entry file (it calls runPeer). */
  entry: string;
  /** Extra environment for this peer only. */
  env?: Record<string, string>;
}

export interface StartPeersOptions {
  peers: Partial<Record<PeerName, PeerEntry>>;
  /** The profile directory; a peer keeps its own stores in it. */
  userDataDir: string;
  spawnPeer: SpawnPeer;
  /** Extra environment for every peer. */
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

export class Peers implements PeerPort, ReceiptPort {
  readonly targets: readonly PeerName[];

  private constructor(private readonly processes: ReadonlyMap<PeerName, PeerProcess>) {
    this.targets = [...processes.keys()];
  }

  static async start(options: StartPeersOptions): Promise<Peers> {
    const processes = new Map<PeerName, PeerProcess>();
    for (const name of PEER_NAMES) {
      const given = options.peers[name];
      if (!given) continue;
      if (!path.isAbsolute(given.entry)) throw new Error(`the ${name} peer's entry must be an absolute path, got '${given.entry}'`);
      processes.set(
        name,
        new PeerProcess({
          name,
          spawnPeer: options.spawnPeer,
          entryFile: given.entry,
          args: [],
          env: {
            [PEER_ENV.parentPid]: String(process.pid),
            [PEER_ENV.name]: name,
            [PEER_ENV.userDataDir]: options.userDataDir,
            ...options.env,
            ...given.env,
          },
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
    if (!p) throw new Error(`no ${name} peer was given to this subsystem`);
    return p;
  }

  /** The current generation of `name` (1 for the first process, +1 per restart). */
  generation(name: PeerName): number {
    return this.peer(name).generation;
  }

  pid(name: PeerName): number | undefined {
    return this.processes.get(name)?.pid;
  }

  async ready(name: PeerName): Promise<PeerReadiness> {
    const p = this.peer(name);
    const { generation } = await p.ready();
    return { generation, ops: p.ops ?? [] };
  }

  readyNow(name: PeerName): number | null {
    return this.processes.get(name)?.readyGeneration ?? null;
  }

  ops(name: PeerName): readonly string[] | null {
    return this.processes.get(name)?.ops ?? null;
  }

  request(name: PeerName, generation: number, req: PeerRequestInput): Promise<StepResult> {
    return this.peer(name).request(generation, req);
  }

  receipts(name: PeerName, steps: readonly StepRef[], deadlineMs: number): Promise<ReceiptsAnswer> {
    return this.peer(name).receipts(steps, deadlineMs);
  }

  status(): PeerStatus[] {
    return [...this.processes.values()].map((p) => ({ name: p.name, generation: p.generation, pid: p.pid }));
  }

  /** Stops every peer (asks, then kills after the stop timeout); none is restarted afterwards. */
  async stop(): Promise<void> {
    await Promise.all([...this.processes.values()].map((p) => p.stop()));
  }
}
