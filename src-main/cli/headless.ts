// `launcher-saga headless --user-data-dir DIR [--port N]`: the app's boot under plain Node
// (profile lock -> log -> recovery -> peers), with the saga panel and the launcher page served
// to a browser on 127.0.0.1. Runs until SIGTERM or SIGINT.
import path from 'node:path';
import { z } from 'zod';
import { boot } from '../boot/boot';
import { operatorName } from '../domain/operator-name';
import { createLauncherHandler } from '../ipc/launcher-handler';
import { createWorkspaceRunner } from '../domain/workspace-runner';
import { startPanelServer } from '../headless/panel-server';
import { createSagaHandlers } from '../ipc/saga-handlers';
import { intOption, parseCommandArgs } from './args';

const Options = z.object({
  'user-data-dir': z.string({ error: 'is required' }).min(1, 'must not be empty'),
  port: intOption(0, 65535).default(0),
});

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
  // The bundle lives at dist/cli/launcher-saga.js; the panel at dist/renderer, the peers at dist/peers.
  const distDir = path.resolve(__dirname, '..');
  const signalled = untilSignalled();
  // The same boot as Electron and the demo: nothing below can answer a request, and no saga
  // can start, before recovery has marked what the previous run left.
  const booted = await boot({ userDataDir, distDir });
  if (booted.readOnlyReason) process.stderr.write(`launcher-saga: the saga log is read-only: ${booted.readOnlyReason}\n`);
  let server;
  try {
    const reviewer = operatorName();
    const handlers = createSagaHandlers({ log: booted.log, events: booted.events, reviewer, bootId: booted.bootId });
    const launcher = createLauncherHandler(
      createWorkspaceRunner((definition, input) => booted.coordinator.run(definition, input), reviewer),
    );
    server = await startPanelServer({ handlers, launcher, port: options.port, panelDir: path.join(distDir, 'renderer') }).catch(
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
