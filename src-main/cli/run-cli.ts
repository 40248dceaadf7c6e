// The `launcher-saga` command line as an app runs it: its own table of commands (diag, headless
// with the app's sagas, the app's demo), one usage text, one mapping from errors to exit codes.
import { SagaLogError } from '../saga/log/errors';
import { SubsystemOptionsError } from '../boot/options';
import { formatCommandHelp, formatMainHelp, isCommandName, wantsHelp } from './help';
import { UsageError } from './usage-error';

export type CliCommand = (argv: string[]) => Promise<number>;

export interface CliSpec {
  /** The bin's name, as printed in usage and errors. */
  name: string;
  /** One usage line per command. */
  usage: string[];
  commands: Record<string, CliCommand>;
}

/** Exit code for an error: 2 when the input was bad, 1 when the run failed. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return 2;
  if (err instanceof SagaLogError && ['missing', 'corrupt', 'foreign'].includes(err.code)) return 2;
  if (err instanceof SubsystemOptionsError) return 2;
  return 1;
}

export async function runCli(spec: CliSpec, argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const usage = `usage:\n${spec.usage.map((u) => `  ${spec.name} ${u}`).join('\n')}`;
  if (name === undefined) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  if (name === '--help' || name === '-h') {
    process.stdout.write(formatMainHelp());
    return 0;
  }
  const command = spec.commands[name];
  if (!command) throw new UsageError(`unknown command '${name.slice(0, 64)}'; expected one of ${Object.keys(spec.commands).join(', ')} (see ${spec.name} --help)`);
  if (isCommandName(name) && wantsHelp(rest)) {
    process.stdout.write(formatCommandHelp(name));
    return 0;
  }
  return command(rest);
}

/** Runs the command line and sets the process's exit code; errors go to stderr as one sentence. */
export function runCommandLine(spec: CliSpec, argv: string[] = process.argv.slice(2)): void {
  runCli(spec, argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`${spec.name}: ${message}\n`);
      if (process.env.LAUNCHER_SAGA_DEBUG) process.stderr.write(`${(err as Error).stack ?? ''}\n`);
      process.exitCode = exitCodeFor(err);
    },
  );
}

export const DIAG_USAGE = 'diag --db FILE [--json] [--state S] [--unreviewed] [--limit N] [--saga N]';
export const HEADLESS_USAGE = 'headless --user-data-dir DIR [--port N]';
