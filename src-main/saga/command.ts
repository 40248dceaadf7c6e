// What a step sends and what runs it: a command is a JSON object naming its operation,
// and a handler is the same shape whether it runs in main (self) or in a peer process.
// Handlers are the app's; the engine only routes by `op`.
import { z } from 'zod';
import { describeZodIssue } from '../../src-shared/zod-issue';

export const Command = z.looseObject({ op: z.string().min(1) });
export type Command = z.infer<typeof Command>;

/**
 * What a peer's receipt for this step will say. A handler whose effect lives in SQLite records it in
 * the effect's own transaction (atomic); otherwise the peer runtime records it right after the effect.
 */
export interface ReceiptDraft {
  sagaId: number;
  stepIndex: number;
  /** The peer generation the step was sent to. */
  attempt: number;
  op: string;
  idempotencyKey: string | null;
}

export interface HandlerContext {
  /** Aborted when the step's deadline passes or its saga is cancelled. */
  signal: AbortSignal;
  /** Set for final steps only: the same key must never be applied twice. */
  idempotencyKey: string | null;
  sagaId: number;
  stepIndex: number;
  /** Absolute deadline, epoch milliseconds. */
  deadlineAt: number;
  /** In a peer: the receipt this step will get (null in main, which keeps none). */
  receipt: ReceiptDraft | null;
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
