// CLI arguments: node's parseArgs splits them, a zod schema decides whether they make sense,
// and a problem is told in plain words naming the option and what it allows.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { UsageError } from './usage-error';
import { flagsOf } from './help';

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

/** The parts of a zod issue the wording reads (zod 4's issue objects carry these). */
export interface OptionIssue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly minimum?: unknown;
  readonly maximum?: unknown;
  readonly values?: readonly unknown[];
}

const shown = (v: unknown) => (typeof v === 'string' ? `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'` : String(v));

/**
 * One issue as a sentence: "--port must be at most 65535 (got '70000')" rather than
 * zod's "Too big: expected number to be <=65535".
 */
export function plainOptionIssue(issue: OptionIssue, values: Readonly<Record<string, unknown>>): string {
  const key = issue.path.length > 0 ? String(issue.path[0]) : '';
  if (key === '') return issue.message;
  const flag = `--${key}`;
  const given = values[key];
  const got = given === undefined ? '' : ` (got ${shown(given)})`;
  if (given === undefined || (issue.code === 'too_small' && given === '')) return `${flag} is required`;
  switch (issue.code) {
    case 'too_big':
      return `${flag} must be at most ${String(issue.maximum)}${got}`;
    case 'too_small':
      return `${flag} must be at least ${String(issue.minimum)}${got}`;
    case 'invalid_value':
      return `${flag} must be one of ${(issue.values ?? []).map(String).join(', ')}${got}`;
    case 'invalid_type':
      return typeof given === 'boolean' ? `${flag} needs a value, e.g. ${flag} VALUE` : `${flag} has the wrong kind of value${got}`;
    default:
      // Our own schemas word these ("expected a whole number"): keep the words, name the option.
      return `${flag}: ${issue.message}${got}`;
  }
}

/** parseArgs' own errors, said plainly: which option, and which ones the command takes. */
export function plainParseError(command: string, message: string): string {
  const flags = flagsOf(command);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) {
    return `unknown option '${unknown[1]}'${flags.length ? `; ${command} takes ${flags.join(', ')}` : ''} (see launcher-saga ${command} --help)`;
  }
  const needsValue = /Option '(--[\w-]+)[^']*' argument missing/.exec(message);
  if (needsValue) return `${needsValue[1]} needs a value, e.g. ${needsValue[1]} VALUE`;
  const noValue = /Option '(--[\w-]+)' does not take an argument/.exec(message);
  if (noValue) return `${noValue[1]} is a switch and takes no value`;
  if (/Unexpected argument '([^']+)'/.test(message)) {
    const arg = /Unexpected argument '([^']+)'/.exec(message)![1];
    return `unexpected argument '${arg}': every value follows its option, e.g. --db FILE`;
  }
  return message.split('. ')[0] ?? message;
}

/** Parses `argv` against `options`, then validates the values with `schema`; any problem is a UsageError. */
export function parseCommandArgs<S extends z.ZodType>(
  command: string,
  argv: string[],
  options: OptionSpec,
  schema: S,
): z.infer<S> {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(`${command}: ${plainParseError(command, (err as Error).message)}`);
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${command}: ${issue ? plainOptionIssue(issue as OptionIssue, values) : 'the arguments are not valid'}`);
  }
  return parsed.data;
}

/** A decimal integer given as a string option, within bounds. */
export const intOption = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
