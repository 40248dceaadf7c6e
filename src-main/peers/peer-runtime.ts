// The peer side of the protocol: one loop that parses main's messages, runs handlers with
// deadlines and cancellation, keeps idempotency keys, and exits when main goes away.
import { type Command, type CommandHandler, errorMessage } from '../saga/command';
import { MainToPeer, type PeerRequest, type PeerToMain } from './peer-protocol';
import type { PeerName } from './peer-transport';
import { PARENT_PID_ENV, hangUntilParentDies, parentPidFromEnv, watchParent } from './parent-watch';
import { describeZodIssue } from '../../src-shared/zod-issue';

/** Durable record of applied idempotency keys: a key found here is answered from the record, never re-applied. */
export interface KeyStore {
  lookup(key: string): { output: unknown } | undefined;
  /** Must be idempotent: a handler may already have recorded the key in its own transaction. */
  record(key: string, op: string, output: unknown): void;
}

export interface PeerRuntimeOptions {
  name: PeerName;
  handlers: ReadonlyMap<string, CommandHandler>;
  keyStore: KeyStore;
  /** Releases what the peer holds (child processes, files) before it exits. */
  onShutdown?: () => void | Promise<void>;
}

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

export function runPeer(options: PeerRuntimeOptions): void {
  const channel = parentChannel();
  const parentPid = parentPidFromEnv(PARENT_PID_ENV);
  const running = new Map<string, AbortController>();
  // Two requests with the same key in flight at once must not both apply it.
  const keyed = new Map<string, Promise<ReplyBody>>();
  let exiting = false;

  const exit = async (code: number) => {
    if (exiting) return;
    exiting = true;
    for (const ac of running.values()) ac.abort(new Error('peer is shutting down'));
    try {
      await options.onShutdown?.();
    } finally {
      process.exit(code);
    }
  };
  watchParent(parentPid, () => void exit(0));
  // A send that fails (EPIPE) means main is already gone: leave quietly instead of printing a stack.
  process.on('error', () => void exit(0));

  type ReplyBody = { ok: true; output: unknown } | { ok: false; error: string };

  const execute = async (req: PeerRequest, signal: AbortSignal): Promise<ReplyBody> => {
    const handler = options.handlers.get(req.command.op);
    if (!handler) return { ok: false, error: `peer ${options.name} has no operation '${req.command.op}'` };
    try {
      return { ok: true, output: await handler(req.command as Command, {
        signal,
        idempotencyKey: req.idempotencyKey,
        sagaId: req.sagaId,
        stepIndex: req.stepIndex,
        deadlineAt: req.deadlineAt,
      }) };
    } catch (err) {
      return { ok: false, error: errorMessage(err) };
    }
  };

  const executeOnce = async (req: PeerRequest, signal: AbortSignal): Promise<ReplyBody> => {
    const key = req.idempotencyKey;
    if (key === null) return execute(req, signal);
    const prior = options.keyStore.lookup(key);
    if (prior) return { ok: true, output: prior.output };
    const inProgress = keyed.get(key);
    if (inProgress) return inProgress;
    const p = (async () => {
      const body = await execute(req, signal);
      // Only an applied command is recorded: a failed one changed nothing, so a retry may apply it.
      if (body.ok) options.keyStore.record(key, req.command.op, body.output);
      return body;
    })();
    keyed.set(key, p);
    try {
      return await p;
    } finally {
      keyed.delete(key);
    }
  };

  const onRequest = async (req: PeerRequest) => {
    const fault = req.command.fault;
    if (fault === 'exit') process.exit(70);
    if (fault === 'hang') hangUntilParentDies(parentPid);
    if (fault === 'garbage') {
      channel.post({ type: 'reply', requestId: req.requestId, ok: 'perhaps', output: 'not a reply' } as unknown as PeerToMain);
      return;
    }
    if (fault === 'error') {
      channel.post({ type: 'reply', requestId: req.requestId, ok: false, error: `injected failure of '${req.command.op}' (fault hook)` });
      return;
    }
    const ac = new AbortController();
    running.set(req.requestId, ac);
    const timer = setTimeout(() => ac.abort(new Error('the deadline passed')), Math.max(0, req.deadlineAt - Date.now()));
    try {
      const body = await executeOnce(req, ac.signal);
      if (!exiting) channel.post({ type: 'reply', requestId: req.requestId, ...body });
    } finally {
      clearTimeout(timer);
      running.delete(req.requestId);
    }
  };

  channel.onMessage((raw) => {
    const parsed = MainToPeer.safeParse(raw);
    if (!parsed.success) {
      // Without a valid request id there is nobody to answer; main's deadline fails the step.
      process.stderr.write(`peer ${options.name}: ignored a malformed message from main: ${describeZodIssue(parsed.error)}\n`);
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'request':
        void onRequest(msg);
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
  channel.post({ type: 'ready', name: options.name, pid: process.pid });
}
