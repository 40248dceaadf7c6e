// A failed step as a typed value, not a sentence to parse: the kind is recorded on the step row
// (and the saga's) so the panel and diag can filter by it; the message is what an operator reads.
import type { FailureKind, Target } from '../../src-shared/saga-model';

export type PeerTarget = Exclude<Target, 'self'>;

export interface StepFailure {
  kind: FailureKind;
  message: string;
  /** The peer involved, when the step went to one. */
  peer?: PeerTarget;
  /** The peer generation involved, when one was. */
  generation?: number;
}

export type StepResult = { ok: true; output: unknown } | { ok: false; failure: StepFailure };

export function stepFailure(kind: FailureKind, message: string, where: { peer?: PeerTarget; generation?: number } = {}): StepFailure {
  return { kind, message, ...where };
}

export function failed(kind: FailureKind, message: string, where: { peer?: PeerTarget; generation?: number } = {}): StepResult {
  return { ok: false, failure: stepFailure(kind, message, where) };
}
