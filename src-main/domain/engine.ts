// Wires the engine for a host (boot, the demo, tests, the benchmark): peers started, main's
// domain handlers registered, a coordinator over an already-open (and already-recovered) log.
import crypto from 'node:crypto';
import type { PeerName, SpawnPeer } from '../peers/peer-transport';
import { Peers } from '../peers/peers';
import { Coordinator } from '../saga/coordinator';
import type { SagaLog } from '../saga/log/saga-log';
import { Router } from '../saga/router';
import { SagaEvents } from '../saga/saga-events';
import { SelfHandlers } from '../saga/self-handlers';
import { PanelViews, registerSelfDomain } from './panel-views';

export interface StartEngineOptions {
  log: SagaLog;
  userDataDir: string;
  /** Absolute path of the build output root (holds peers/host.js, peers/srv.js, peers/session-process.js). */
  distDir: string;
  spawnPeer: SpawnPeer;
  bootId?: string;
  events?: SagaEvents;
  defaultDeadlineMs?: number;
  /** Extra environment for the peers. */
  peerEnv?: Record<string, string>;
  peerStartupTimeoutMs?: number;
  peerProbeTimeoutMs?: number;
  onPeerGeneration?: (name: PeerName, generation: number, pid: number | undefined) => void;
}

export interface Engine {
  bootId: string;
  events: SagaEvents;
  peers: Peers;
  selfHandlers: SelfHandlers;
  panelViews: PanelViews;
  router: Router;
  coordinator: Coordinator;
  /** Coordinator shutdown (grace for in-flight sagas), then the peers. The log stays open: its owner closes it. */
  stop(graceMs: number): Promise<void>;
}

export async function startEngine(options: StartEngineOptions): Promise<Engine> {
  const bootId = options.bootId ?? crypto.randomUUID();
  const events = options.events ?? new SagaEvents();
  const peers = await Peers.start({
    distDir: options.distDir,
    userDataDir: options.userDataDir,
    spawnPeer: options.spawnPeer,
    ...(options.peerEnv && { env: options.peerEnv }),
    ...(options.peerStartupTimeoutMs !== undefined && { startupTimeoutMs: options.peerStartupTimeoutMs }),
    ...(options.peerProbeTimeoutMs !== undefined && { probeTimeoutMs: options.peerProbeTimeoutMs }),
    ...(options.onPeerGeneration && { onGeneration: options.onPeerGeneration }),
  });
  const selfHandlers = new SelfHandlers();
  const panelViews = new PanelViews();
  registerSelfDomain(selfHandlers, panelViews);
  const router = new Router(selfHandlers, peers);
  const coordinator = new Coordinator(options.log, router, {
    events,
    bootId,
    ...(options.defaultDeadlineMs !== undefined && { defaultDeadlineMs: options.defaultDeadlineMs }),
  });
  let stopping: Promise<void> | null = null;
  return {
    bootId,
    events,
    peers,
    selfHandlers,
    panelViews,
    router,
    coordinator,
    stop(graceMs) {
      stopping ??= (async () => {
        await coordinator.shutdown(graceMs);
        await peers.stop();
      })();
      return stopping;
    },
  };
}

/**
 * A coordinator with main's domain handlers and no peers: only `self` steps can run.
 * For benchmarks and tests that measure the engine without process round trips.
 */
export function createSelfOnlyCoordinator(log: SagaLog, options: { bootId?: string; events?: SagaEvents; defaultDeadlineMs?: number } = {}): Coordinator {
  const selfHandlers = new SelfHandlers();
  registerSelfDomain(selfHandlers, new PanelViews());
  return new Coordinator(log, new Router(selfHandlers, null), options);
}
