// Where a step goes: `self` runs one of the app's handlers in this process; `host` and `srv` go
// through the PeerPort to the incarnation whose generation the step's pending row recorded.
import type { Target } from '../../src-shared/saga-model';
import { errorMessage } from './command';
import type { PeerPort, PeerRequestInput } from './dispatch';
import { abortReason, race } from './settle';
import type { SelfHandlers } from './self-handlers';
import { type PeerTarget, type StepResult, failed } from './step-failure';

export interface DispatchRequest extends PeerRequestInput {
  target: Target;
  /** From prepare(): null for self, the peer generation otherwise. */
  generation: number | null;
}

export class Router {
  constructor(
    readonly self: SelfHandlers,
    readonly peers: PeerPort | null,
  ) {}

  /** Whether a step to `target` can be routed at all (a peer the app did not give cannot). */
  serves(target: Target): boolean {
    return target === 'self' || (this.peers?.targets.includes(target) ?? false);
  }

  /**
   * Why `op` on `target` would be refused, or null when a handler serves it. A peer that has not
   * announced its ops yet is given the benefit of the doubt: its own reply will say.
   */
  refusal(target: Target, op: string): string | null {
    if (target === 'self') return this.self.get(op) ? null : `main has no self handler for '${op}'`;
    if (!this.serves(target)) return `no ${target} peer was given to this subsystem`;
    const ops = this.peers!.ops(target);
    return ops === null || ops.includes(op) ? null : `peer ${target} has no handler for '${op}'`;
  }

  /**
   * The generation a step to `target` will be sent to, waiting for (or restarting) the peer.
   * Throws when the peer cannot be made ready; the step is then not recorded and not sent.
   */
  async prepare(target: Target): Promise<number | null> {
    if (target === 'self') return null;
    if (!this.peers || !this.serves(target)) throw new Error(`no ${target} peer was given to this subsystem`);
    return (await this.peers.ready(target)).generation;
  }

  /**
   * prepare() without waiting: the generation (null for self) when it is known now, or undefined
   * when only prepare() can tell (the peer is starting, restarting or missing).
   */
  preparedNow(target: Target): { generation: number | null } | undefined {
    if (target === 'self') return { generation: null };
    if (!this.peers || !this.serves(target)) return undefined;
    const generation = this.peers.readyNow(target);
    return generation === null ? undefined : { generation };
  }

  /** Never rejects: every way a step can fail comes back as a typed failure. */
  dispatch(req: DispatchRequest): Promise<StepResult> {
    if (req.target === 'self') return this.dispatchSelf(req);
    const peer: PeerTarget = req.target;
    if (!this.peers || req.generation === null) {
      return Promise.resolve(failed('not_sent', `no peer ${peer} to send to; the step was not sent`, { peer }));
    }
    return this.peers.request(peer, req.generation, req);
  }

  private dispatchSelf(req: DispatchRequest): Promise<StepResult> {
    const op = req.command.op;
    const handler = this.self.get(op);
    if (!handler) return Promise.resolve(failed('not_sent', `main has no handler for '${op}'; the step was not run`));
    if (req.signal?.aborted) return Promise.resolve(failed('cancelled', `cancelled before it ran in main: ${abortReason(req.signal)}`));
    const controller = new AbortController();
    let out: unknown;
    try {
      out = handler(req.command, {
        signal: controller.signal,
        idempotencyKey: req.idempotencyKey,
        sagaId: req.sagaId,
        stepIndex: req.stepIndex,
        deadlineAt: Date.now() + req.deadlineMs,
        receipt: null,
      });
    } catch (err) {
      return Promise.resolve(failed('error', errorMessage(err)));
    }
    // A synchronous handler has finished already: no deadline or cancellation can apply to it,
    // and the hot path of a self step pays for no timer.
    if (!(out instanceof Promise)) return Promise.resolve({ ok: true, output: out });
    const pending = out;
    return race<StepResult>(
      {
        deadlineMs: req.deadlineMs,
        signal: req.signal,
        controller,
        onDeadline: () => failed('deadline', `'${op}' in main timed out after ${req.deadlineMs}ms`),
        onCancel: (why) => failed('cancelled', `cancelled while running in main: ${why}`),
      },
      ({ settle }) => {
        pending.then(
          (output: unknown) => settle({ ok: true, output }),
          (err: unknown) => settle(failed('error', errorMessage(err))),
        );
      },
    );
  }
}
