// Shared setup for the engine tests: a real log file in a temp dir and real forked peers
// from the built dist/ (build first: node scripts/build.mjs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Engine, startEngine } from '../../src-main/domain/engine';
import { spawnForkPeer } from '../../src-main/peers/fork-peer';
import { LOG_FILE_NAME, SagaLog, type SagaLogOptions } from '../../src-main/saga/log/saga-log';

export const DIST_DIR = path.resolve(__dirname, '../../dist');

export function requireBuild(): void {
  for (const f of ['host.js', 'srv.js', 'session-process.js']) {
    if (!fs.existsSync(path.join(DIST_DIR, 'peers', f))) {
      throw new Error(`dist/peers/${f} is missing: build first with node scripts/build.mjs`);
    }
  }
}

export function tempDir(prefix = 'engine-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestEngine extends Engine {
  log: SagaLog;
  dir: string;
  close(): Promise<void>;
}

export async function startTestEngine(
  options: { dir?: string; logOptions?: SagaLogOptions; defaultDeadlineMs?: number; probeTimeoutMs?: number; peerEnv?: Record<string, string> } = {},
): Promise<TestEngine> {
  requireBuild();
  const dir = options.dir ?? tempDir();
  const log = SagaLog.open(path.join(dir, LOG_FILE_NAME), options.logOptions);
  const engine = await startEngine({
    log,
    userDataDir: dir,
    distDir: DIST_DIR,
    spawnPeer: spawnForkPeer,
    defaultDeadlineMs: options.defaultDeadlineMs ?? 10_000,
    peerProbeTimeoutMs: options.probeTimeoutMs ?? 500,
    ...(options.peerEnv && { peerEnv: options.peerEnv }),
  });
  return {
    ...engine,
    log,
    dir,
    async close() {
      await engine.stop(1000);
      log.close();
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
