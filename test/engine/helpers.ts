// Shared setup for the engine tests: the workspace app's real subsystem on a temp profile, with
// real forked peers from the built dist/ (build first: node scripts/build.mjs), and the app's
// fault plan for tests that make a step fail.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type SagaSubsystem, startSagaSubsystem } from '../../src-main/index';
import type { SagaDefinition, SagaOutcome } from '../../src-main/index';
import { Coordinator } from '../../src-main/saga/coordinator';
import type { SagaLog } from '../../src-main/saga/log/saga-log';
import { Router } from '../../src-main/saga/router';
import { SelfHandlers } from '../../src-main/saga/self-handlers';
import { WORKSPACE_SAGAS } from '../../src-main/workspace-app/app';
import { FaultPlan, type SagaFaults, withFaults } from '../../src-main/workspace-app/fault-plan';
import { PanelViews, selfHandlers } from '../../src-main/workspace-app/panel-views';
import { runWithFaults } from '../../src-main/workspace-app/run-with-faults';

export const DIST_DIR = path.resolve(__dirname, '../../dist');
export const PEERS_DIR = path.join(DIST_DIR, 'peers');

import { requireBuild } from '../helpers/workspace-boot';

export { requireBuild };

export function tempDir(prefix = 'engine-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestEngine extends SagaSubsystem {
  log: SagaLog;
  dir: string;
  panelViews: PanelViews;
  faults: FaultPlan;
  /** Runs `saga` with `faults` planned for it (op -> fault), as the demo does. */
  runFaulty(saga: SagaDefinition<unknown>, input: unknown, faults: SagaFaults): Promise<SagaOutcome>;
  close(): Promise<void>;
}

export interface TestEngineOptions {
  dir?: string;
  maxPageCount?: number;
  defaultDeadlineMs?: number;
  probeTimeoutMs?: number;
  peerEnv?: Record<string, string>;
}

export async function startTestEngine(options: TestEngineOptions = {}): Promise<TestEngine> {
  requireBuild();
  const dir = options.dir ?? tempDir();
  const panelViews = new PanelViews();
  const faults = new FaultPlan(dir);
  const sub = await startSagaSubsystem({
    userDataDir: dir,
    sagas: WORKSPACE_SAGAS,
    self: withFaults(selfHandlers(panelViews), faults, 'self'),
    peers: { host: { entry: path.join(PEERS_DIR, 'host.js') }, srv: { entry: path.join(PEERS_DIR, 'srv.js') } },
    retention: false,
    defaultStepDeadlineMs: options.defaultDeadlineMs ?? 10_000,
    peerProbeTimeoutMs: options.probeTimeoutMs ?? 500,
    ...(options.maxPageCount !== undefined && { maxPageCount: options.maxPageCount }),
    ...(options.peerEnv && { peerEnv: options.peerEnv }),
  });
  return {
    ...sub,
    dir,
    panelViews,
    faults,
    runFaulty: (saga, input, planned) => runWithFaults(sub, faults, saga, input, planned),
    async close() {
      await sub.shutdown(1000);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (bounded) until `pid` is gone; returns whether it went. */
export async function waitForExit(pid: number, withinMs = 5000): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return !isAlive(pid);
}

/** Step rows of a saga as compact tuples, for assertions that read like the log. */
export function rows(log: SagaLog, sagaId: number): string[] {
  const d = log.saga(sagaId);
  if (!d) throw new Error(`no saga ${sagaId}`);
  return d.steps.map(
    (s) => `${s.stepIndex} ${s.name} ${s.state}${s.compensatesIndex !== null ? ` undoes ${s.compensatesIndex}` : ''}`,
  );
}

/**
 * A coordinator with the workspace app's self handlers and no peers: only `self` steps can run.
 * For tests and benchmarks that measure the engine without process round trips.
 */
export function selfOnlyCoordinator(log: SagaLog, options: { bootId?: string } = {}): Coordinator {
  return new Coordinator(log, new Router(SelfHandlers.from(selfHandlers(new PanelViews())), null), options);
}
