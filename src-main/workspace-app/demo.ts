// `launcher-saga demo`: boots the real log and peers in a profile and runs the domain's
// sagas through them, some told to fail, printing one line per outcome and a summary.
import path from 'node:path';
import { z } from 'zod';
import { type SagaApp, type SagaDefinition, type SagaOutcome, intOption, parseCommandArgs, runMany, startSagaSubsystem } from '../index';
import { type Fault, FaultPlan, type SagaFaults } from './fault-plan';
import { runWithFaults } from './run-with-faults';
import { closeWorkspace, openWorkspace } from './workspace-sagas';

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

export const DEMO_USAGE = 'demo --user-data-dir DIR --sagas N [--concurrency C] [--fail-rate R]';

export interface DemoOptions {
  out?: (line: string) => void;
}

const PEER_FAULTS: readonly Fault[] = ['error', 'exit', 'garbage'];

interface OpenWorkspace {
  workspaceId: string;
  sessionId: string;
  viewId: string;
}

export async function runDemo(app: SagaApp, argv: string[], options: DemoOptions = {}): Promise<number> {
  const args = parseCommandArgs(
    'demo',
    argv,
    { 'user-data-dir': { type: 'string' }, sagas: { type: 'string' }, concurrency: { type: 'string' }, 'fail-rate': { type: 'string' } },
    DemoArgs,
  );
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const userDataDir = path.resolve(args['user-data-dir']);
  // The same boot every host runs (lock, open, recover, the app's peers).
  const subsystem = await startSagaSubsystem({ ...app.subsystem({ userDataDir }), userDataDir });
  const plan = new FaultPlan(userDataDir);
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
      if (closing) {
        def = closeWorkspace as SagaDefinition<unknown>;
        input = { ...closing };
      } else {
        def = openWorkspace as SagaDefinition<unknown>;
        input = { name: `demo-${runId}-${i}`, owner: 'demo', accessToken: `token-${i}` };
      }
      const faults = failing ? randomFaults(def) : {};
      const started = performance.now();
      let outcome: SagaOutcome;
      try {
        outcome = await runWithFaults(subsystem, plan, def, input, faults);
      } catch (err) {
        counts.refused = (counts.refused ?? 0) + 1;
        out(`saga ${def.name} was not started: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      counts[outcome.state] = (counts[outcome.state] ?? 0) + 1;
      const ms = Math.round(performance.now() - started);
      const why = outcome.failureReason ? `: ${outcome.failureReason}` : '';
      out(`saga ${outcome.sagaId} ${outcome.name} ${outcome.state} in ${ms} ms${why}`);
      if (def === (openWorkspace as SagaDefinition<unknown>) && outcome.state === 'completed') {
        const [ws, session, view] = outcome.outputs as [{ workspaceId: string }, { sessionId: string }, { viewId: string }];
        open.push({ workspaceId: ws.workspaceId, sessionId: session.sessionId, viewId: view.viewId });
      }
    });
  } finally {
    const seconds = ((performance.now() - t0) / 1000).toFixed(2);
    const tally = Object.entries(counts)
      .map(([state, n]) => `${n} ${state}`)
      .join(', ');
    const peers = subsystem.peerStatus().map((p) => `${p.name} generation ${p.generation}`).join(', ');
    out(`demo: ${args.sagas} sagas in ${seconds} s: ${tally || 'none finished'}; peers: ${peers}; log: ${subsystem.log.file}`);
    await subsystem.shutdown(5000);
  }
  return 0;
}

/** Fails one random step (by its op); sometimes an earlier undo fails too. */
function randomFaults(def: SagaDefinition<unknown>): SagaFaults {
  const at = Math.floor(Math.random() * def.steps.length);
  const step = def.steps[at]!;
  const fault = step.target === 'self' ? 'error' : PEER_FAULTS[Math.floor(Math.random() * PEER_FAULTS.length)]!;
  const faults: SagaFaults = { [step.op!]: fault };
  const undoable = def.steps.slice(0, at).filter((s) => s.kind === 'compensatable' && s.undoOps?.[0] !== undefined);
  if (undoable.length > 0 && Math.random() < 0.25) {
    const victim = undoable[Math.floor(Math.random() * undoable.length)]!;
    faults[victim.undoOps![0]!] = 'error';
  }
  return faults;
}
