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
  /** The peer generation main sent this to: the attempt a receipt records. */
  attempt: z.number().int().positive(),
});
export type PeerRequest = z.infer<typeof PeerRequest>;

/** At most this many steps per receipts question (main asks in chunks). */
export const MAX_RECEIPT_STEPS = 10_000;

const StepRef = z.object({ sagaId: z.number().int().positive(), stepIndex: z.number().int().nonnegative() });

/** Reconciliation's read-only question: which of these steps do you hold receipts for? */
export const ReceiptsRequest = z.object({
  type: z.literal('receipts'),
  requestId: z.string().min(1),
  steps: z.array(StepRef).max(MAX_RECEIPT_STEPS),
});
export type ReceiptsRequest = z.infer<typeof ReceiptsRequest>;

export const ReceiptDurability = z.enum(['atomic', 'after_effect']);
export type ReceiptDurability = z.infer<typeof ReceiptDurability>;

export const ReceiptOutcome = z.enum(['succeeded', 'failed']);
export type ReceiptOutcome = z.infer<typeof ReceiptOutcome>;

/** A receipt's output travels only up to this size; a larger one stays in the peer (main then knows it applied, not what it returned). */
export const MAX_RECEIPT_OUTPUT_CHARS = 64 * 1024;

/** A receipt as it travels to main, with the output of an applied step so "compensate now" can build its undo. */
export const WireReceipt = StepRef.extend({
  attempt: z.number().int().positive(),
  op: z.string().min(1).max(200),
  outcome: ReceiptOutcome,
  durability: ReceiptDurability,
  recordedAt: z.string().datetime(),
  /** The step's output as JSON text; null when it failed, when none was kept, or when it is too large to send. */
  outputJson: z.string().max(MAX_RECEIPT_OUTPUT_CHARS).nullable().default(null),
});
export type WireReceipt = z.infer<typeof WireReceipt>;
/** What a receipt store hands the runtime: `outputJson` may be left out (a store that keeps no outputs). */
export type WireReceiptInput = z.input<typeof WireReceipt>;

export const ReceiptsReply = z.discriminatedUnion('ok', [
  z.object({
    type: z.literal('receipts-reply'),
    requestId: z.string().min(1),
    ok: z.literal(true),
    storeCreatedAt: z.string().datetime(),
    note: z.string().max(2000).nullable(),
    atomicOps: z.array(z.string().min(1).max(200)).max(10_000),
    receipts: z.array(WireReceipt).max(MAX_RECEIPT_STEPS * 4),
  }),
  z.object({ type: z.literal('receipts-reply'), requestId: z.string().min(1), ok: z.literal(false), error: z.string().max(2000) }),
]);
export type ReceiptsReply = z.infer<typeof ReceiptsReply>;

export const MainToPeer = z.discriminatedUnion('type', [
  PeerRequest,
  ReceiptsRequest,
  /** The step's deadline passed or its saga was cancelled: stop working on it; no reply is expected. */
  z.object({ type: z.literal('cancel'), requestId: z.string().min(1) }),
  /** Liveness check after a timed-out request: a peer whose event loop still turns answers pong. */
  z.object({ type: z.literal('ping'), nonce: z.number().int() }),
  /** Orderly stop: finish nothing new, release what you hold, exit. */
  z.object({ type: z.literal('shutdown') }),
]);
export type MainToPeer = z.infer<typeof MainToPeer>;

/** The failure kinds a peer itself can report; the rest (exited, garbage, restarted) main decides. */
export const PeerFailureKind = z.enum(['error', 'deadline', 'cancelled', 'not_sent']);
export type PeerFailureKind = z.infer<typeof PeerFailureKind>;

export const PeerReply = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('reply'), requestId: z.string().min(1), ok: z.literal(true), output: z.unknown() }),
  z.object({
    type: z.literal('reply'),
    requestId: z.string().min(1),
    ok: z.literal(false),
    error: z.string(),
    kind: PeerFailureKind.default('error'),
  }),
]);
export type PeerReply = z.infer<typeof PeerReply>;

export const PeerToMain = z.union([
  z.object({
    type: z.literal('ready'),
    name: z.enum(['host', 'srv']),
    pid: z.number().int().positive(),
    /** The ops this incarnation serves: main refuses a saga whose declared op none serves. */
    ops: z.array(z.string().min(1)).max(10_000).default([]),
  }),
  PeerReply,
  z.object({ type: z.literal('pong'), nonce: z.number().int() }),
  // Only the envelope here: a malformed body answers reconciliation `unknown`, it does not get the peer restarted.
  z.looseObject({ type: z.literal('receipts-reply'), requestId: z.string().min(1) }),
]);
export type PeerToMain = z.infer<typeof PeerToMain>;

/**
 * The request a malformed reply was meant to answer, when the garbage still says (its request id,
 * or the saga and step): main then fails that request as the one that got garbage and tells the
 * others that their peer was restarted because of it.
 */
export function claimedRequest(message: unknown): { requestId: string } | { sagaId: number; stepIndex: number } | null {
  if (typeof message !== 'object' || message === null) return null;
  const m = message as { requestId?: unknown; sagaId?: unknown; stepIndex?: unknown };
  if (typeof m.requestId === 'string' && m.requestId.length > 0 && m.requestId.length <= 64) return { requestId: m.requestId };
  if (Number.isSafeInteger(m.sagaId) && Number.isSafeInteger(m.stepIndex)) return { sagaId: m.sagaId as number, stepIndex: m.stepIndex as number };
  return null;
}

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
