// `launcher-saga demo`: boots the real log and peers in a profile and runs the domain's
// sagas through them, some told to fail, printing one line per outcome and a summary.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { boot } from '../boot/boot';
import { OPEN_STEPS, CLOSE_STEPS, closeWorkspace, openWorkspace } from '../domain/workspace-sagas';
import type { CommandFault } from '../saga/command';
import type { Coordinator, SagaOutcome } from '../saga/coordinator';
import type { SagaDefinition } from '../saga/define-saga';
import { runMany } from '../saga/run-many';
import { intOption, parseCommandArgs } from './args';

const DemoArgs = z.object({
  'user-data-dir': z.string({ error: 'is required' }).min(1, 'is required'),
  sagas: z.string({ error: 'is required' }).pipe(intOption(1, 100_000)),
  concurrency: intOption(1, 256).default(4),
  'fail-rate': z
    .string()
    .regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, 'expected a fraction between 0 and 1, e.g. 0.2')
    .transform(Number)
    .default(0),
});

export interface DemoOptions {
  /** The build output root; defaults to the folder above this bundle (dist/). */
  distDir?: string;
  out?: (line: string) => void;
}

interface DemoApp {
  coordinator: Coordinator;
  peerStatus: () => string;
  logFile: string;
  close: () => Promise<void>;
}

/** The one place the demo gets its app: the same boot every host runs (lock, open, recover, peers). */
async function openDemoApp(userDataDir: string, distDir: string): Promise<DemoApp> {
  const app = await boot({ userDataDir, distDir });
  return {
    coordinator: app.coordinator,
    peerStatus: () => app.peers.status().map((p) => `${p.name} generation ${p.generation}`).join(', '),
    logFile: app.log.file,
    close: () => app.shutdown(5000),
  };
}

const PEER_FAULTS: readonly CommandFault[] = ['error', 'exit', 'garbage'];

interface OpenWorkspace {
  workspaceId: string;
  sessionId: string;
  viewId: string;
}

export async function runDemo(argv: string[], options: DemoOptions = {}): Promise<number> {
  const args = parseCommandArgs(
    'demo',
    argv,
    { 'user-data-dir': { type: 'string' }, sagas: { type: 'string' }, concurrency: { type: 'string' }, 'fail-rate': { type: 'string' } },
    DemoArgs,
  );
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const distDir = options.distDir ?? path.resolve(__dirname, '..');
  if (!fs.existsSync(path.join(distDir, 'peers', 'host.js'))) {
    throw new Error(`the built peers are missing from ${path.join(distDir, 'peers')}; build the app first (npm run build)`);
  }
  const userDataDir = path.resolve(args['user-data-dir']);
  fs.mkdirSync(userDataDir, { recursive: true });
  const app = await openDemoApp(userDataDir, distDir);
  const counts: Record<string, number> = {};
  const t0 = performance.now();
  try {
    const open: OpenWorkspace[] = [];
    const runId = Date.now().toString(36);
    await runMany(args.sagas, args.concurrency, async (i) => {
      const failing = Math.random() < args['fail-rate'];
      const closing = i % 3 === 2 ? open.shift() : undefined;
      let def: SagaDefinition<unknown>;
      let input: Record<string, unknown>;
      let steps: readonly string[];
      if (closing) {
        def = closeWorkspace;
        input = { ...closing };
        steps = CLOSE_STEPS;
      } else {
        def = openWorkspace;
        input = { name: `demo-${runId}-${i}`, owner: 'demo', accessToken: `token-${i}` };
        steps = OPEN_STEPS;
      }
      if (failing) Object.assign(input, randomFaults(steps, def));
      const started = performance.now();
      let outcome: SagaOutcome;
      try {
        outcome = await app.coordinator.run(def, input);
      } catch (err) {
        counts.refused = (counts.refused ?? 0) + 1;
        out(`saga ${def.name} was not started: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      counts[outcome.state] = (counts[outcome.state] ?? 0) + 1;
      const ms = Math.round(performance.now() - started);
      const why = outcome.failureReason ? `: ${outcome.failureReason}` : '';
      out(`saga ${outcome.sagaId} ${outcome.name} ${outcome.state} in ${ms} ms${why}`);
      if (def === openWorkspace && outcome.state === 'completed') {
        const [ws, session, view] = outcome.outputs as [{ workspaceId: string }, { sessionId: string }, { viewId: string }];
        open.push({ workspaceId: ws.workspaceId, sessionId: session.sessionId, viewId: view.viewId });
      }
    });
  } finally {
    const seconds = ((performance.now() - t0) / 1000).toFixed(2);
    const tally = Object.entries(counts)
      .map(([state, n]) => `${n} ${state}`)
      .join(', ');
    out(`demo: ${args.sagas} sagas in ${seconds} s: ${tally || 'none finished'}; peers: ${app.peerStatus()}; log: ${app.logFile}`);
    await app.close();
  }
  return 0;
}

/** Tells the peers (or main) to fail one random step; sometimes an earlier undo fails too. */
function randomFaults(steps: readonly string[], def: SagaDefinition<unknown>): Record<string, Record<string, CommandFault>> {
  const at = Math.floor(Math.random() * steps.length);
  const step = def.steps[at]!;
  const fault = step.target === 'self' ? 'error' : PEER_FAULTS[Math.floor(Math.random() * PEER_FAULTS.length)]!;
  const result: Record<string, Record<string, CommandFault>> = { faults: { [steps[at]!]: fault } };
  const undoable = def.steps.slice(0, at).filter((s) => s.kind === 'compensatable');
  if (undoable.length > 0 && Math.random() < 0.25) {
    const victim = undoable[Math.floor(Math.random() * undoable.length)]!;
    result.undoFaults = { [victim.name]: 'error' };
  }
  return result;
}
