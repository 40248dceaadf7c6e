// `launcher-saga headless --user-data-dir DIR [--port N]`: the app's boot under plain Node,
// with the saga panel served to a browser on 127.0.0.1. Runs until SIGTERM or SIGINT.
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { acquireProfileLock } from '../boot/profile-lock';
import { openLog } from '../boot/open-log';
import { startPanelServer } from '../headless/panel-server';
import { createSagaHandlers } from '../ipc/saga-handlers';
import type { SagaLog } from '../saga/log/saga-log';
import { runRecovery } from '../saga/recovery';
import { SagaEvents } from '../saga/saga-events';
import { intOption, parseCommandArgs } from './args';

const Options = z.object({
  'user-data-dir': z.string({ error: 'is required' }).min(1, 'must not be empty'),
  port: intOption(0, 65535).default(0),
});

interface BootedForPanel {
  log: SagaLog;
  events: SagaEvents;
  bootId: string;
  shutdown(): Promise<void>;
}

/**
 * Stand-in for the shared boot sequence (profile lock -> open log -> recovery) until
 * src-main/boot/boot.ts exists; swap this one function for `boot({ userDataDir, distDir })`.
 * It starts no peers: the headless panel only reads the log and records reviews.
 */
async function bootForPanel(userDataDir: string, _distDir: string): Promise<BootedForPanel> {
  const lock = acquireProfileLock(userDataDir);
  try {
    const { log, movedAside } = openLog(userDataDir);
    const bootId = crypto.randomUUID();
    // Nothing may read the log before recovery has marked what the last crash left.
    runRecovery(log, { bootId, movedAside });
    return {
      log,
      events: new SagaEvents(),
      bootId,
      shutdown: async () => {
        log.checkpoint();
        log.close();
        lock.release();
      },
    };
  } catch (err) {
    lock.release();
    throw err;
  }
}

/** The OS user running the host: who a review is recorded as. */
function reviewerName(): string {
  try {
    return os.userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}

function untilSignalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

export async function runHeadless(argv: string[]): Promise<number> {
  const options = parseCommandArgs(
    'headless',
    argv,
    { 'user-data-dir': { type: 'string' }, port: { type: 'string' } },
    Options,
  );
  const userDataDir = path.resolve(options['user-data-dir']);
  // The bundle lives at dist/cli/launcher-saga.js; the panel at dist/renderer.
  const distDir = path.resolve(__dirname, '..');
  const signalled = untilSignalled();
  const booted = await bootForPanel(userDataDir, distDir);
  let server;
  try {
    const handlers = createSagaHandlers({
      log: booted.log,
      events: booted.events,
      reviewer: reviewerName(),
      bootId: booted.bootId,
    });
    server = await startPanelServer({ handlers, port: options.port, panelDir: path.join(distDir, 'renderer') }).catch(
      (err: unknown) => {
        if ((err as { code?: unknown }).code === 'EADDRINUSE') {
          throw new Error(`port ${options.port} on 127.0.0.1 is already in use; pick another with --port, or 0 for a free one`);
        }
        throw err;
      },
    );
  } catch (err) {
    await booted.shutdown();
    throw err;
  }
  process.stdout.write(`panel: ${server.url}\n`);
  await signalled;
  await server.close();
  await booted.shutdown();
  return 0;
}
