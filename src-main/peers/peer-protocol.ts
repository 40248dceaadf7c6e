// The messages main and a peer exchange. Both sides parse every message with these schemas:
// a peer that sends anything else "answered garbage" and is restarted.
import { z } from 'zod';
import { Command } from '../saga/command';
import { describeZodIssue } from '../../src-shared/zod-issue';

export const PeerRequest = z.object({
  type: z.literal('request'),
  requestId: z.string().min(1),
  sagaId: z.number().int().positive(),
  stepIndex: z.number().int().nonnegative(),
  command: Command,
  /** Absolute deadline in epoch milliseconds (main and peers share the machine's clock). */
  deadlineAt: z.number(),
  /** Only final steps carry a key; a peer never applies the same key twice. */
  idempotencyKey: z.string().min(1).nullable(),
});
export type PeerRequest = z.infer<typeof PeerRequest>;

export const MainToPeer = z.discriminatedUnion('type', [
  PeerRequest,
  /** The step's deadline passed or its saga was cancelled: stop working on it; no reply is expected. */
  z.object({ type: z.literal('cancel'), requestId: z.string().min(1) }),
  /** Liveness check after a timed-out request: a peer whose event loop still turns answers pong. */
  z.object({ type: z.literal('ping'), nonce: z.number().int() }),
  /** Orderly stop: finish nothing new, release what you hold, exit. */
  z.object({ type: z.literal('shutdown') }),
]);
export type MainToPeer = z.infer<typeof MainToPeer>;

export const PeerReply = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('reply'), requestId: z.string().min(1), ok: z.literal(true), output: z.unknown() }),
  z.object({ type: z.literal('reply'), requestId: z.string().min(1), ok: z.literal(false), error: z.string() }),
]);
export type PeerReply = z.infer<typeof PeerReply>;

export const PeerToMain = z.union([
  z.object({ type: z.literal('ready'), name: z.enum(['host', 'srv']), pid: z.number().int().positive() }),
  PeerReply,
  z.object({ type: z.literal('pong'), nonce: z.number().int() }),
]);
export type PeerToMain = z.infer<typeof PeerToMain>;

/** One line naming what was wrong with a message, for the "answered garbage" reason. */
export function describeBadMessage(error: z.ZodError, message: unknown): string {
  let shown: string;
  try {
    shown = JSON.stringify(message) ?? String(message);
  } catch {
    shown = String(message);
  }
  if (shown.length > 120) shown = `${shown.slice(0, 117)}...`;
  return `${describeZodIssue(error)} in ${shown}`;
}
