// The peer side of the protocol, for an app's own peer entry files: one loop that parses main's
// messages, runs the app's handlers with deadlines and cancellation, keeps a durable receipt of
// every step it applies (final steps' idempotency keys are answered from them), answers
// reconciliation's questions about them, and exits when main goes away. The handlers are the app's.
import path from 'node:path';
import { z } from 'zod';
import { type Command, type ReceiptDraft, errorMessage } from '../saga/command';
import { race } from '../saga/settle';
import { type HandlersOption, handlerMap } from '../saga/self-handlers';
import { describeZodIssue } from '../../src-shared/zod-issue';
import { type PeerContext, PEER_ENV, peerContextFromEnv } from './peer-env';
import { MainToPeer, type PeerFailureKind, type PeerRequest, type PeerToMain, type ReceiptsRequest } from './peer-protocol';
import { type ReceiptStore, openReceiptFile } from './receipt-store';
import { parentPidFromEnv, watchParent } from './parent-watch';

export type PeerHandlers = HandlersOption;

/** What a peer's setup builds once it knows its context (a store in the profile, say). */
export interface PeerSetup {
  handlers: PeerHandlers;
  /**
   * Where receipts are kept; by default `<name>-receipts.db` in the profile, written just after each
   * effect. A peer whose effects live in SQLite passes a ReceiptTable on that database and has its
   * handlers call `recordWith` inside the effect's transaction (listing those ops as atomic).
   */
  receipts?: ReceiptStore;
  /** Releases what the peer holds (child processes, files) before it exits. */
  onShutdown?: () => void | Promise<void>;
}

export type RunPeerOptions =
  | ({ name: 'host' | 'srv' } & PeerSetup)
  | { name: 'host' | 'srv'; setup: (context: PeerContext) => PeerSetup | Promise<PeerSetup> };

const isFunction = (v: unknown): v is (...args: never[]) => unknown => typeof v === 'function';
const SetupShape = z.object({
  handlers: z.custom<PeerHandlers>((v) => typeof v === 'object' && v !== null, 'must be an object of op -> handler'),
  receipts: z
    .custom<ReceiptStore>((v) => {
      const r = v as ReceiptStore | null;
      return typeof r === 'object' && r !== null && isFunction(r.forSteps) && isFunction(r.byKey) && isFunction(r.record) && Array.isArray(r.atomicOps) && typeof r.createdAt === 'string';
    }, 'must be a ReceiptStore (forSteps(), byKey(), record(), atomicOps, createdAt)')
    .optional(),
  onShutdown: z.custom<() => void>(isFunction, 'must be a function').optional(),
});

interface Channel {
  post(message: PeerToMain): void;
  onMessage(listener: (message: unknown) => void): void;
}

interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

function parentChannel(): Channel {
  // Electron's utilityProcess hands the child a parentPort; child_process.fork gives process.send.
  const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
  if (parentPort) {
    return {
      post: (m) => parentPort.postMessage(m),
      onMessage: (l) => parentPort.on('message', (e) => l(e.data)),
    };
  }
  if (process.send) {
    return {
      post: (m) => {
        if (process.connected) process.send!(m);
      },
      onMessage: (l) => process.on('message', l),
    };
  }
  throw new Error('this peer was started without a channel to main; it is started by the app, not by hand');
}

type ReplyBody = { ok: true; output: unknown } | { ok: false; error: string; kind: PeerFailureKind };

/**
 * Runs this process as peer `name`. Call it once from the peer's entry file; it returns once the
 * peer has said ready. Bad options are reported on stderr and end the process with code 1.
 */
export async function runPeer(options: RunPeerOptions): Promise<void> {
  try {
    await startPeer(options);
  } catch (err) {
    process.stderr.write(`peer ${String((options as { name?: unknown }).name)} could not start: ${errorMessage(err)}\n`);
    process.exit(1);
  }
}

async function startPeer(options: RunPeerOptions): Promise<void> {
  const context = peerContextFromEnv(process.env);
  if (options.name !== context.name) throw new Error(`this entry runs peer '${options.name}' but main started it as '${context.name}'`);
  const rawSetup = 'setup' in options ? await options.setup(context) : options;
  const checked = SetupShape.safeParse(rawSetup);
  if (!checked.success) throw new Error(describeZodIssue(checked.error));
  const handlers = handlerMap(checked.data.handlers);
  let ownFile: { close(): void } | null = null;
  let receipts = checked.data.receipts;
  if (!receipts) {
    const opened = openReceiptFile(path.join(context.userDataDir, `${context.name}-receipts.db`));
    ownFile = opened.db;
    receipts = opened.store;
  }
  const store = receipts;
  const appShutdown = checked.data.onShutdown;
  const onShutdown = async () => {
    try {
      await appShutdown?.();
    } finally {
      ownFile?.close();
    }
  };
  const channel = parentChannel();
  const parentPid = parentPidFromEnv(PEER_ENV.parentPid);
  const running = new Map<string, AbortController>();
  // Two requests with the same key in flight at once must not both apply it.
  const keyed = new Map<string, Promise<ReplyBody>>();
  let exiting = false;

  const exit = async (code: number) => {
    if (exiting) return;
    exiting = true;
    for (const ac of running.values()) ac.abort(new Error('peer is shutting down'));
    try {
      await onShutdown();
    } finally {
      process.exit(code);
    }
  };
  watchParent(parentPid, () => void exit(0));
  // A send that fails (EPIPE) means main is already gone: leave quietly instead of printing a stack.
  process.on('error', () => void exit(0));

  const draftOf = (req: PeerRequest): ReceiptDraft => ({
    sagaId: req.sagaId,
    stepIndex: req.stepIndex,
    attempt: req.attempt,
    op: req.command.op,
    idempotencyKey: req.idempotencyKey,
  });

  const execute = (req: PeerRequest, cancel: AbortController): Promise<ReplyBody> => {
    const handler = handlers.get(req.command.op);
    if (!handler) return Promise.resolve({ ok: false, error: `peer ${context.name} has no operation '${req.command.op}'`, kind: 'not_sent' });
    return race<ReplyBody>(
      {
        deadlineMs: req.deadlineAt - Date.now(),
        signal: cancel.signal,
        onDeadline: () => ({ ok: false, error: `'${req.command.op}' in peer ${context.name} passed its deadline`, kind: 'deadline' }),
        onCancel: (why) => ({ ok: false, error: `'${req.command.op}' in peer ${context.name} was cancelled: ${why}`, kind: 'cancelled' }),
      },
      ({ settle, signal }) => {
        let out: unknown;
        try {
          out = handler(req.command as Command, {
            signal,
            idempotencyKey: req.idempotencyKey,
            sagaId: req.sagaId,
            stepIndex: req.stepIndex,
            deadlineAt: req.deadlineAt,
            receipt: draftOf(req),
          });
        } catch (err) {
          settle({ ok: false, error: errorMessage(err), kind: 'error' });
          return;
        }
        Promise.resolve(out).then(
          (output: unknown) => settle({ ok: true, output }),
          (err: unknown) => settle({ ok: false, error: errorMessage(err), kind: 'error' }),
        );
      },
    );
  };

  /**
   * Runs the handler, then records its receipt just after the effect unless the handler recorded
   * it atomically already (record() keeps the first). Only a handler's own answer gets a receipt:
   * after a deadline or cancellation the handler may still be running.
   */
  const executeWithReceipt = async (req: PeerRequest, cancel: AbortController): Promise<ReplyBody> => {
    const body = await execute(req, cancel);
    if (!body.ok && body.kind !== 'error') return body;
    try {
      store.record({ ...draftOf(req), outcome: body.ok ? 'succeeded' : 'failed', output: body.ok ? body.output : null, durability: 'after_effect' });
    } catch (err) {
      // Without its receipt a final step could be applied twice: fail it rather than answer ok.
      if (req.idempotencyKey !== null) throw err;
      process.stderr.write(`peer ${context.name}: the receipt of saga ${req.sagaId} step ${req.stepIndex} could not be recorded: ${errorMessage(err)}\n`);
    }
    return body;
  };

  const executeOnce = async (req: PeerRequest, cancel: AbortController): Promise<ReplyBody> => {
    const key = req.idempotencyKey;
    if (key === null) return executeWithReceipt(req, cancel);
    const prior = store.byKey(key);
    if (prior) return { ok: true, output: prior.output };
    const inProgress = keyed.get(key);
    if (inProgress) return inProgress;
    const p = executeWithReceipt(req, cancel);
    keyed.set(key, p);
    try {
      return await p;
    } finally {
      keyed.delete(key);
    }
  };

  const onRequest = async (req: PeerRequest) => {
    const cancel = new AbortController();
    running.set(req.requestId, cancel);
    try {
      const body = await executeOnce(req, cancel);
      if (!exiting) channel.post({ type: 'reply', requestId: req.requestId, ...body });
    } catch (err) {
      // The receipt store failed after the effect: say so rather than leave main waiting for its deadline.
      if (!exiting) channel.post({ type: 'reply', requestId: req.requestId, ok: false, error: `peer ${context.name}: ${errorMessage(err)}`, kind: 'error' });
    } finally {
      running.delete(req.requestId);
    }
  };

  // Read-only: reconciliation asks which steps hold receipts; nothing is applied or recorded.
  const onReceipts = (msg: ReceiptsRequest) => {
    try {
      channel.post({
        type: 'receipts-reply',
        requestId: msg.requestId,
        ok: true,
        storeCreatedAt: store.createdAt,
        note: store.note,
        atomicOps: [...store.atomicOps],
        receipts: store.forSteps(msg.steps),
      });
    } catch (err) {
      channel.post({ type: 'receipts-reply', requestId: msg.requestId, ok: false, error: errorMessage(err).slice(0, 2000) });
    }
  };

  channel.onMessage((raw) => {
    const parsed = MainToPeer.safeParse(raw);
    if (!parsed.success) {
      // Without a valid request id there is nobody to answer; main's deadline fails the step.
      process.stderr.write(`peer ${context.name}: ignored a malformed message from main: ${describeZodIssue(parsed.error)}\n`);
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'request':
        void onRequest(msg);
        return;
      case 'receipts':
        onReceipts(msg);
        return;
      case 'cancel':
        running.get(msg.requestId)?.abort(new Error('main cancelled the request'));
        return;
      case 'ping':
        channel.post({ type: 'pong', nonce: msg.nonce });
        return;
      case 'shutdown':
        void exit(0);
        return;
    }
  });
  channel.post({ type: 'ready', name: context.name, pid: process.pid, ops: [...handlers.keys()] });
}
