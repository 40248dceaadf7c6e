// What a step sends and what runs it: a command is a JSON object naming its operation,
// and a handler is the same shape whether it runs in main (self) or in a peer process.
import { z } from 'zod';
import { describeZodIssue } from '../../src-shared/zod-issue';

export const Command = z.looseObject({ op: z.string().min(1) });
export type Command = z.infer<typeof Command>;

/**
 * Test and demo hooks, honoured by whoever runs the command (main's self handlers and the peers)
 * before the real handler: `error` replies with a failure, `hang` stops answering altogether,
 * `garbage` answers with a malformed message, `exit` ends the peer process.
 */
export const CommandFault = z.enum(['error', 'hang', 'garbage', 'exit']);
export type CommandFault = z.infer<typeof CommandFault>;

export interface HandlerContext {
  /** Aborted when the step's deadline passes or its saga is cancelled. */
  signal: AbortSignal;
  /** Set for final steps only: the same key must never be applied twice. */
  idempotencyKey: string | null;
  sagaId: number;
  stepIndex: number;
  /** Absolute deadline, epoch milliseconds. */
  deadlineAt: number;
}

export type CommandHandler = (command: Command, ctx: HandlerContext) => unknown;

/** A handler that validates its command with `schema` first, so a malformed command is refused by name. */
export function defineHandler<S extends z.ZodType>(
  schema: S,
  run: (command: z.infer<S>, ctx: HandlerContext) => unknown,
): CommandHandler {
  return (command, ctx) => {
    const parsed = schema.safeParse(command);
    if (!parsed.success) {
      throw new Error(`command '${command.op}' is invalid: ${describeZodIssue(parsed.error)}`);
    }
    return run(parsed.data, ctx);
  };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Why `signal` was aborted, as text for a step's failure reason ('aborted' when no reason was given). */
export function abortReason(signal: AbortSignal | undefined): string {
  const r: unknown = signal?.reason;
  return r === undefined ? 'aborted' : errorMessage(r);
}
