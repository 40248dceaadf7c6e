// The port the engine dispatches through. The engine defines it; the peers implement the peer
// half, so the engine never imports them (DBOS/Temporal style: executor apart from transport).
import type { Command } from './command';
import type { PeerTarget, StepResult } from './step-failure';

export interface PeerRequestInput {
  sagaId: number;
  stepIndex: number;
  command: Command;
  idempotencyKey: string | null;
  deadlineMs: number;
  signal?: AbortSignal | undefined;
}

export interface PeerReadiness {
  generation: number;
  /** The operations the ready incarnation serves, as it announced them. */
  ops: readonly string[];
}

/** What main's peer supervisor offers the engine. */
export interface PeerPort {
  /** The peers this subsystem was given (any subset of host and srv). */
  readonly targets: readonly PeerTarget[];
  /** Waits for a ready incarnation of `target`, restarting it if needed; throws when none becomes ready. */
  ready(target: PeerTarget): Promise<PeerReadiness>;
  /**
   * The generation of a ready incarnation of `target` without waiting, or null when ready() would
   * have to wait (or restart it). Lets a saga's row and its first pending step be one commit.
   */
  readyNow(target: PeerTarget): number | null;
  /** The ops the current incarnation announced, or null before the first ready. */
  ops(target: PeerTarget): readonly string[] | null;
  /** Sends to incarnation `generation`; never rejects: every failure is a typed StepResult. */
  request(target: PeerTarget, generation: number, req: PeerRequestInput): Promise<StepResult>;
}
