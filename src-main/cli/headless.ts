// `headless --user-data-dir DIR [--port N]`: an app's boot under plain Node (profile lock -> log
// -> recovery -> peers), with the saga panel and the app's launcher page served to a browser on
// 127.0.0.1. Runs until SIGTERM or SIGINT.
import path from 'node:path';
import { z } from 'zod';
import { startSagaSubsystem } from '../boot/subsystem';
import { operatorName } from '../boot/operator-name';
import { loadOrCreatePanelAddress, savePanelAddress } from '../headless/panel-address';
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

/** One line on what recovery did at this launch. */
function recoveryLine(marked: number, movedAside: number, skipped: string | null): string {
  if (skipped !== null) return skipped;
  const parts: string[] = [];
  if (marked > 0) parts.push(`recovered ${marked} interrupted saga${marked === 1 ? '' : 's'}; ${marked === 1 ? 'it needs' : 'they need'} review in the panel`);
  if (movedAside > 0) parts.push(`moved ${movedAside} damaged file${movedAside === 1 ? '' : 's'} aside (see the panel's banner)`);
  return parts.length > 0 ? parts.join('; ') : 'nothing to recover';
}

/**
 * With LAUNCHER_BOOT_TIMING=1, where a launch's time goes: each mark in ms since the process
 * started (performance.now() counts from there), printed on stderr after the panel line.
 */
function bootTiming(): { mark: (what: string) => void; line: () => string } | null {
  if (process.env.LAUNCHER_BOOT_TIMING !== '1') return null;
  const marks: string[] = [];
  return {
    mark: (what) => marks.push(`${what} ${performance.now().toFixed(1)}`),
    line: () => `boot timing (ms since the process started): ${marks.join(', ')}`,
  };
}

export function headlessCommand(app: SagaApp): (argv: string[]) => Promise<number> {
  return async (argv) => {
    const timing = bootTiming();
    timing?.mark('command');
    const options = parseCommandArgs('headless', argv, { 'user-data-dir': { type: 'string' }, port: { type: 'string' } }, Options);
    const userDataDir = path.resolve(options['user-data-dir']);
    const signalled = untilSignalled();
    // The same boot as Electron and the demo: nothing below can answer a request, and no saga
    // can start, before recovery has marked what the previous run left.
    const appOptions = app.subsystem({ userDataDir });
    const subsystem = await startSagaSubsystem({
      ...appOptions,
      userDataDir,
      ...(timing && {
        onPhase: (phase) => {
          timing.mark(phase);
          appOptions.onPhase?.(phase);
        },
      }),
    });
    const say = (line: string) => process.stderr.write(`${app.name ?? 'launcher-saga'}: ${line}\n`);
    if (subsystem.readOnlyReason) say(`the saga log is read-only: ${subsystem.readOnlyReason}`);
    let server;
    try {
      const operator = operatorName();
      // The same URL across launches of this profile, so an open tab reconnects by itself.
      const address = loadOrCreatePanelAddress(userDataDir);
      server = await servePanelHeadless(subsystem, {
        port: options.port !== 0 ? options.port : address.port,
        token: address.token,
        anyPortIfTaken: options.port === 0,
        reviewer: operator,
        ...(app.launcher && { launcher: app.launcher(subsystem, { userDataDir, operator }) }),
      });
      savePanelAddress(userDataDir, { token: server.token, port: server.port });
    } catch (err) {
      await subsystem.shutdown();
      throw err;
    }
    // stdout carries exactly the one `panel:` line scripts wait for; the rest is for the person at the terminal.
    process.stdout.write(`panel: ${server.url}\n`);
    if (timing) {
      timing.mark('panel');
      say(timing.line());
    }
    say(`profile ${userDataDir}; log ${subsystem.log.file}`);
    if (app.launcher) say(`launcher page ${server.url}launcher.html`);
    say(recoveryLine(subsystem.recovery.marked.length, subsystem.recovery.movedAside.length, subsystem.recoverySkipped));
    await signalled;
    // Requests already running keep their connections: sagas that finish within the grace period
    // are answered as finished; only then are the connections closed.
    server.stopAccepting();
    await subsystem.shutdown();
    await server.drained(1000);
    await server.close();
    say('stopped');
    return 0;
  };
}
