// `headless --user-data-dir DIR [--port N]`: an app's boot under plain Node (profile lock -> log
// -> recovery -> peers), with the saga panel and the app's launcher page served to a browser on
// 127.0.0.1. Runs until SIGTERM or SIGINT.
import path from 'node:path';
import { z } from 'zod';
import { startSagaSubsystem } from '../boot/subsystem';
import { operatorName } from '../boot/operator-name';
import { servePanelHeadless } from '../headless/serve-panel';
import type { SagaApp } from '../ipc/saga-app';
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

export function headlessCommand(app: SagaApp): (argv: string[]) => Promise<number> {
  return async (argv) => {
    const options = parseCommandArgs('headless', argv, { 'user-data-dir': { type: 'string' }, port: { type: 'string' } }, Options);
    const userDataDir = path.resolve(options['user-data-dir']);
    const signalled = untilSignalled();
    // The same boot as Electron and the demo: nothing below can answer a request, and no saga
    // can start, before recovery has marked what the previous run left.
    const subsystem = await startSagaSubsystem({ ...app.subsystem({ userDataDir }), userDataDir });
    if (subsystem.readOnlyReason) process.stderr.write(`launcher-saga: the saga log is read-only: ${subsystem.readOnlyReason}\n`);
    let server;
    try {
      const operator = operatorName();
      server = await servePanelHeadless(subsystem, {
        port: options.port,
        reviewer: operator,
        ...(app.launcher && { launcher: app.launcher(subsystem, { userDataDir, operator }) }),
      });
    } catch (err) {
      await subsystem.shutdown();
      throw err;
    }
    process.stdout.write(`panel: ${server.url}\n`);
    await signalled;
    // Requests already running keep their connections: sagas that finish within the grace period
    // are answered as finished; only then are the connections closed.
    server.stopAccepting();
    await subsystem.shutdown();
    await server.drained(1000);
    await server.close();
    return 0;
  };
}
