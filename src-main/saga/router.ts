// Where a step goes: `self` runs a registered handler in this process; `host` and `srv` are
// sent to the peer incarnation whose generation the step's pending row recorded.
import type { Target } from '../../src-shared/saga-model';
import type { PeerRequestInput, PeerResult } from '../peers/peer-process';
import type { Peers } from '../peers/peers';
import { abortReason, errorMessage } from './command';
import type { SelfHandlers } from './self-handlers';

export type DispatchResult = PeerResult;

export interface DispatchRequest extends PeerRequestInput {
  target: Target;
  /** From prepare(): null for self, the peer generation otherwise. */
  generation: number | null;
}

export class Router {
  constructor(
    readonly self: SelfHandlers,
    readonly peers: Peers | null,
  ) {}

  /**
   * The generation a step to `target` will be sent to, waiting for (or restarting) the peer.
   * Throws when the peer cannot be made ready; the step is then not recorded and not sent.
   */
  async prepare(target: Target): Promise<number | null> {
    if (target === 'self') return null;
    if (!this.peers) throw new Error(`no peer processes were started, so nothing can be sent to ${target}`);
    return (await this.peers.ready(target)).generation;
  }

  /** Never rejects: every way a step can fail comes back as `{ ok: false, error }` that says which. */
  dispatch(req: DispatchRequest): Promise<DispatchResult> {
    if (req.target === 'self') return this.dispatchSelf(req);
    if (!this.peers || req.generation === null) {
      return Promise.resolve({ ok: false, error: `no peer ${req.target} to send to; the step was not sent` });
    }
    return this.peers.request(req.target, req.generation, req);
  }

  private dispatchSelf(req: DispatchRequest): Promise<DispatchResult> {
    const op = req.command.op;
    const handler = this.self.get(op);
    if (!handler) return Promise.resolve({ ok: false, error: `main has no handler for '${op}'` });
    const fault = req.command.fault;
    if (fault === 'error') return Promise.resolve({ ok: false, error: `injected failure of '${op}' (fault hook)` });
    if (fault === 'garbage' || fault === 'exit') {
      return Promise.resolve({ ok: false, error: `fault hook '${String(fault)}' only applies to peer steps` });
    }
    if (req.signal?.aborted) return Promise.resolve({ ok: false, error: `cancelled before it ran: ${abortReason(req.signal)}` });
    const ac = new AbortController();
    const deadlineAt = Date.now() + req.deadlineMs;
    let out: unknown;
    if (fault !== 'hang') {
      try {
        out = handler(req.command, { signal: ac.signal, idempotencyKey: req.idempotencyKey, sagaId: req.sagaId, stepIndex: req.stepIndex, deadlineAt });
      } catch (err) {
        return Promise.resolve({ ok: false, error: errorMessage(err) });
      }
      // A synchronous handler has finished already: no deadline or cancellation can apply to it.
      if (!(out instanceof Promise)) return Promise.resolve({ ok: true, output: out });
    }
    return new Promise<DispatchResult>((resolve) => {
      let settled = false;
      const settle = (r: DispatchResult, abort?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        if (abort !== undefined) ac.abort(new Error(abort));
        resolve(r);
      };
      const onAbort = () => {
        const why = abortReason(req.signal);
        settle({ ok: false, error: `cancelled while running in main: ${why}` }, why);
      };
      const timer = setTimeout(
        () => settle({ ok: false, error: `'${op}' in main timed out after ${req.deadlineMs}ms` }, 'the deadline passed'),
        req.deadlineMs,
      );
      req.signal?.addEventListener('abort', onAbort, { once: true });
      if (out instanceof Promise) {
        out.then(
          (output: unknown) => settle({ ok: true, output }),
          (err: unknown) => settle({ ok: false, error: errorMessage(err) }),
        );
      }
    });
  }
}
