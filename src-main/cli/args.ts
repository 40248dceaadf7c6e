// CLI arguments: node's parseArgs splits them, a zod schema decides whether they make sense.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { UsageError } from './usage-error';
import { describeZodIssue } from '../../src-shared/zod-issue';

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

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
    throw new UsageError(`${command}: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    throw new UsageError(`${command}: ${describeZodIssue(parsed.error, { pathPrefix: '--', whenNoPath: 'arguments' })}`);
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
