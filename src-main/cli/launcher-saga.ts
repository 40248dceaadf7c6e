// The `launcher-saga` bin. This process IS the main process (no wrapper), so a SIGKILL
// of its pid is a crash of main and peers notice it.
import { SagaLogError } from '../saga/log/errors';
import { UsageError } from './usage-error';

const USAGE = `usage:
  launcher-saga diag --db FILE [--json] [--state S] [--limit N]
  launcher-saga demo --user-data-dir DIR --sagas N [--concurrency C] [--fail-rate R]
  launcher-saga headless --user-data-dir DIR [--port N]`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  diag: async () => (await import('./diag')).runDiag,
  demo: async () => (await import('./demo')).runDemo,
  headless: async () => (await import('./headless')).runHeadless,
};

/** Exit code for an error: 2 when the input was bad, 1 when the run failed. */
function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return 2;
  if (err instanceof SagaLogError && ['missing', 'corrupt', 'foreign'].includes(err.code)) return 2;
  return 1;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) throw new UsageError(`unknown command '${name}'; expected one of ${Object.keys(COMMANDS).join(', ')}`);
  return (await load())(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`launcher-saga: ${message}\n`);
    if (process.env.LAUNCHER_SAGA_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
    process.exitCode = exitCodeFor(err);
  },
);
