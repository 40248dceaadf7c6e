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

export const InFlightStep = z.object({
  stepIndex: z.number().int().nonnegative(),
  name: z.string(),
  target: Target.nullable(),
  peerGeneration: z.number().int().nullable(),
});
export type InFlightStep = z.infer<typeof InFlightStep>;

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
  startedAt: Timestamp,
  endedAt: Timestamp.nullable(),
  idempotencyKey: z.string().nullable(),
  peerGeneration: z.number().int().nullable(),
  /** Set on a compensation row: the index of the forward step it undoes. */
  compensatesIndex: z.number().int().nullable(),
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

export const RecoveredSaga = z.object({
  sagaId: z.number().int().positive(),
  name: z.string(),
  previousState: SagaState,
  reason: z.string(),
  inFlightStep: InFlightStep.nullable(),
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
