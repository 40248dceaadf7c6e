// How main talks to a peer OS process, independent of how it was started:
// child_process.fork under Node, Electron's utilityProcess in the Electron host.

export type PeerName = 'host' | 'srv';

export interface PeerChild {
  readonly pid: number | undefined;
  /** Sends one structured-clone message. Throws if the channel is closed. */
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process is gone, whatever the cause. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

export interface SpawnPeerRequest {
  name: PeerName;
  /** Absolute path of the built peer entry (dist/peers/<name>.js). */
  entryFile: string;
  args: string[];
  env: Record<string, string>;
}

export type SpawnPeer = (request: SpawnPeerRequest) => PeerChild;
