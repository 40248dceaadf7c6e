// The vocabulary of the saga log, shared by main, preload and renderer.
// Every state, target and record shape has exactly one definition here; types are inferred.
import { z } from 'zod';

export const SagaState = z.enum(['running', 'completed', 'failed', 'compensating', 'failed_compensation']);
export type SagaState = z.infer<typeof SagaState>;

/** States a crash can leave a saga in; recovery turns each into `failed_compensation`. */
export const UNRESOLVED_STATES = ['running', 'compensating'] as const satisfies readonly SagaState[];
/** States retention may prune (failed_compensation only once reviewed). */
export const FINISHED_STATES = ['completed', 'failed'] as const satisfies readonly SagaState[];

export const StepState = z.enum(['pending', 'succeeded', 'failed', 'compensated']);
export type StepState = z.infer<typeof StepState>;

export const Target = z.enum(['self', 'host', 'srv']);
export type Target = z.infer<typeof Target>;

/** The seed orchestrator's step classes. */
export const StepKind = z.enum(['read_only', 'compensatable', 'final']);
export type StepKind = z.infer<typeof StepKind>;

const Timestamp = z.string(); // RFC3339 UTC, as written by the log

/**
 * Why a step failed, as a kind the panel and diag can filter by; the message says the rest.
 * `peer_restarted`: the peer was restarted because of another request (its garbage reply, a hang).
 */
export const FailureKind = z.enum([
  'error',
  'deadline',
  'cancelled',
  'peer_exited',
  'peer_garbage',
  'peer_restarted',
  'not_sent',
  'log_write_failed',
]);
export type FailureKind = z.infer<typeof FailureKind>;

export const InFlightStep = z.object({
  stepIndex: z.number().int().nonnegative(),
  name: z.string(),
  target: Target.nullable(),
  peerGeneration: z.number().int().nullable(),
});
export type InFlightStep = z.infer<typeof InFlightStep>;

/**
 * What reconciliation learned from the peer's receipts about a step a crash left in flight:
 * `applied` (a receipt says so), `not_applied` (the peer records that op's receipts in the same
 * transaction as its effect and holds none), `unknown` (why says why). Nothing is re-sent either way.
 */
export const ReconciledAnswer = z.enum(['applied', 'not_applied', 'unknown']);
export type ReconciledAnswer = z.infer<typeof ReconciledAnswer>;

export const Reconciliation = z.object({
  answer: ReconciledAnswer,
  why: z.string(),
  /** Who answered: the peer and its receipt store, or main itself. */
  source: z.string(),
  at: Timestamp,
});
export type Reconciliation = z.infer<typeof Reconciliation>;

export const StepRecord = z.object({
  sagaId: z.number().int().positive(),
  stepIndex: z.number().int().nonnegative(),
  name: z.string(),
  state: StepState,
  target: Target.nullable(),
  kind: StepKind.nullable(),
  cmdJson: z.string().nullable(),
  outputJson: z.string().nullable(),
  failureReason: z.string().nullable(),
  /** Null for steps that did not fail, and for rows written before kinds were recorded. */
  failureKind: FailureKind.nullable(),
  startedAt: Timestamp,
  endedAt: Timestamp.nullable(),
  idempotencyKey: z.string().nullable(),
  peerGeneration: z.number().int().nullable(),
  /** Set on a compensation row: the index of the forward step it undoes. */
  compensatesIndex: z.number().int().nullable(),
  /** Set on a step recovery left in flight once reconciliation has asked its peer. */
  reconciliation: Reconciliation.nullable(),
});
export type StepRecord = z.infer<typeof StepRecord>;

export const Review = z.object({
  reviewedAt: Timestamp,
  reviewedBy: z.string(),
  note: z.string(),
});
export type Review = z.infer<typeof Review>;

export const SagaSummary = z.object({
  sagaId: z.number().int().positive(),
  name: z.string(),
  state: SagaState,
  startedAt: Timestamp,
  endedAt: Timestamp.nullable(),
  failureReason: z.string().nullable(),
  /** The kind of the failure that ended or is compensating the saga; null when none or not recorded. */
  failureKind: FailureKind.nullable(),
  bootId: z.string().nullable(),
  /** Forward steps the definition declares; null for rows written without it. */
  plannedSteps: z.number().int().nullable(),
  /** Steps that got somewhere: succeeded or compensated (the seed's step_count). */
  progressedSteps: z.number().int().nonnegative(),
  /** The step left `pending`, if any: in a finished saga this is the step a crash interrupted. */
  inFlightStep: InFlightStep.nullable(),
  /** The latest start or end of any of its steps: how long an interrupted saga ran at least. */
  lastActivityAt: Timestamp.nullable(),
  review: Review.nullable(),
});
export type SagaSummary = z.infer<typeof SagaSummary>;

export const SagaDetail = SagaSummary.extend({
  inputJson: z.string(),
  steps: z.array(StepRecord),
});
export type SagaDetail = z.infer<typeof SagaDetail>;

/** What the log alone proves about an interrupted saga: nothing needs undoing, and how it ended. */
export const ProvenOutcome = z.enum(['completed', 'failed']);
export type ProvenOutcome = z.infer<typeof ProvenOutcome>;

export const RecoveredSaga = z.object({
  sagaId: z.number().int().positive(),
  name: z.string(),
  previousState: SagaState,
  reason: z.string(),
  inFlightStep: InFlightStep.nullable(),
  /** Set when the log proves no undo is needed (only the terminal write was lost); absent in older reports. */
  provenOutcome: ProvenOutcome.nullable().optional(),
});
export type RecoveredSaga = z.infer<typeof RecoveredSaga>;

export const MovedAsideFile = z.object({
  from: z.string(),
  to: z.string(),
  reason: z.string(),
  /**
   * The sagas a crash left unresolved in the moved-aside file (ids of that file), worded as
   * recovery would have marked them; they stay unmarked there. Absent when they could not be read.
   */
  interrupted: z.array(RecoveredSaga).optional(),
  /** The highest saga id the moved-aside file had issued; the fresh log continues above it. */
  highestSagaId: z.number().int().nonnegative().optional(),
});
export type MovedAsideFile = z.infer<typeof MovedAsideFile>;

export const RecoveryReport = z.object({
  bootId: z.string(),
  startedAt: Timestamp,
  durationMs: z.number().nonnegative(),
  marked: z.array(RecoveredSaga),
  movedAside: z.array(MovedAsideFile),
});
export type RecoveryReport = z.infer<typeof RecoveryReport>;

/** A saga row the log holds but this build cannot read (a state outside the contract, say): shown as such. */
export const UnreadableSaga = z.object({
  sagaId: z.number().int(),
  why: z.string(),
});
export type UnreadableSaga = z.infer<typeof UnreadableSaga>;

/** A persisted recovery report that cannot be read back (malformed JSON, say): shown as such. */
export const UnreadableRecoveryReport = z.object({
  reportId: z.number().int(),
  bootId: z.string().nullable(),
  startedAt: z.string().nullable(),
  why: z.string(),
});
export type UnreadableRecoveryReport = z.infer<typeof UnreadableRecoveryReport>;

/**
 * What reconciliation (or the operator) knows of a step left in flight: whether its effect was
 * applied. Until a peer answers, every in-flight step is `unknown`.
 */
export const InFlightOutcome = z.enum(['applied', 'not_applied', 'unknown']);
export type InFlightOutcome = z.infer<typeof InFlightOutcome>;

export const OperatorActionKind = z.enum(['resolve', 'compensate']);
export type OperatorActionKind = z.infer<typeof OperatorActionKind>;

/** One operator action on a saga, as the log records it: who, when, the note and how it ended. */
export const OperatorAction = z.object({
  action: OperatorActionKind,
  doneBy: z.string(),
  note: z.string(),
  at: Timestamp,
  /** The state it left the saga in; null while it runs (or when a crash cut it short). */
  outcome: z.string().nullable(),
});
export type OperatorAction = z.infer<typeof OperatorAction>;
