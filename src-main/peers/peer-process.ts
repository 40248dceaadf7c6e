// One peer (host or srv) as seen from main: the OS process behind it is restarted whenever
// it exits, and each incarnation gets the next generation number (1, 2, 3, ...) so every step
// row can say which incarnation it was sent to.
import type { FailureKind } from '../../src-shared/saga-model';
import { errorMessage } from '../saga/command';
import type { PeerRequestInput } from '../saga/dispatch';
import type { ReceiptsAnswer, StepRef } from '../saga/reconciliation';
import { race } from '../saga/settle';
import { type StepResult, failed } from '../saga/step-failure';
import { type MainToPeer, PeerToMain, ReceiptsReply, claimedRequest, describeBadMessage } from './peer-protocol';
import { describeZodIssue } from '../../src-shared/zod-issue';
import type { PeerChild, PeerName, SpawnPeer } from './peer-transport';

export interface PeerProcessOptions {
  name: PeerName;
  spawnPeer: SpawnPeer;
  entryFile: string;
  args: string[];
  env: Record<string, string>;
  /** How long a new incarnation may take to say ready. */
  startupTimeoutMs?: number;
  /** After a timed-out request, how long the peer has to answer a liveness ping before it is restarted. */
  probeTimeoutMs?: number;
  /** On orderly stop, how long the peer has to exit before it is killed. */
  stopTimeoutMs?: number;
  onGeneration?: (name: PeerName, generation: number, pid: number | undefined) => void;
}

export interface PeerIdentity {
  generation: number;
  pid: number | undefined;
}

interface InFlight {
  sagaId: number;
  stepIndex: number;
  settle: (result: StepResult) => void;
}

/** The request whose trouble (a garbage reply, a hang) got the incarnation retired. */
interface Culprit {
  sagaId: number;
  stepIndex: number;
  requestId?: string;
}

interface Incarnation {
  generation: number;
  child: PeerChild;
  pid: number | undefined;
  readyAt: number | null;
  ops: readonly string[] | null;
  ready: Promise<void>;
  markReady: () => void;
  failReady: (reason: string) => void;
  gone: string | null;
  spawnedAt: number;
  exited: Promise<void>;
  inflight: Map<string, InFlight>;
  probes: Map<number, () => void>;
  /** Reconciliation's open questions, answered by a receipts-reply (or failed when the incarnation goes). */
  questions: Map<string, (answer: ReceiptsAnswer) => void>;
}

export class PeerUnavailableError extends Error {
  override readonly name = 'PeerUnavailableError';
}

const MAX_BACKOFF_MS = 2000;

export class PeerProcess {
  readonly name: PeerName;
  private readonly opts: Required<Omit<PeerProcessOptions, 'onGeneration'>> & Pick<PeerProcessOptions, 'onGeneration'>;
  private current: Incarnation | null = null;
  private generationCounter = 0;
  private requestSeq = 0;
  private nonceSeq = 0;
  private stopped = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private quickExits = 0;
  private lastExitReason: string | null = null;
  private spawnWaiters: (() => void)[] = [];

  constructor(options: PeerProcessOptions) {
    this.name = options.name;
    this.opts = {
      startupTimeoutMs: 10_000,
      probeTimeoutMs: 1000,
      stopTimeoutMs: 2000,
      ...options,
    };
  }

  /** The generation of the incarnation that is running now (0 before the first spawn). */
  get generation(): number {
    return this.current?.generation ?? 0;
  }

  /** The generation of an incarnation that is ready now, or null when one would have to be awaited. */
  get readyGeneration(): number | null {
    const inc = this.current;
    return inc !== null && inc.readyAt !== null && inc.gone === null && !this.stopped ? inc.generation : null;
  }

  /** The ops the current incarnation announced when it said ready (null before that). */
  get ops(): readonly string[] | null {
    return this.current?.ops ?? null;
  }

  get pid(): number | undefined {
    return this.current && this.current.gone === null ? this.current.pid : undefined;
  }

  private label(inc: Incarnation): string {
    return `peer ${this.name} (generation ${inc.generation}, pid ${inc.pid ?? 'unknown'})`;
  }

  private spawn(): Incarnation {
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
    const generation = ++this.generationCounter;
    let markReady!: () => void;
    let failReady!: (reason: string) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = (reason) => reject(new PeerUnavailableError(reason));
    });
    // Nobody may be waiting yet; the rejection is observed through ready() instead.
    ready.catch(() => {});
    let child: PeerChild;
    try {
      child = this.opts.spawnPeer({ name: this.name, entryFile: this.opts.entryFile, args: this.opts.args, env: this.opts.env });
    } catch (err) {
      throw new PeerUnavailableError(`peer ${this.name} could not be started: ${errorMessage(err)}`);
    }
    let markExited!: () => void;
    const exited = new Promise<void>((resolve) => {
      markExited = resolve;
    });
    const inc: Incarnation = {
      generation,
      child,
      pid: child.pid,
      readyAt: null,
      ops: null,
      ready,
      markReady,
      failReady,
      gone: null,
      spawnedAt: Date.now(),
      exited,
      inflight: new Map(),
      probes: new Map(),
      questions: new Map(),
    };
    this.current = inc;
    const startup = setTimeout(() => {
      if (inc.readyAt === null && inc.gone === null) {
        this.retire(inc, `${this.label(inc)} did not say ready within ${this.opts.startupTimeoutMs}ms`, 'peer_exited');
        inc.child.kill();
      }
    }, this.opts.startupTimeoutMs);
    startup.unref();
    child.onMessage((m) => this.onMessage(inc, m));
    child.onExit((code, signal) => {
      clearTimeout(startup);
      markExited();
      this.onExit(inc, code, signal);
    });
    for (const w of this.spawnWaiters.splice(0)) w();
    return inc;
  }

  /**
   * Fails everything in flight on `inc`; later replies from it are ignored. With a culprit, only
   * the culprit's own request carries `kind`: the others were cut off by the restart it caused,
   * and their reason names that saga and step rather than quoting its reply as their own.
   */
  private retire(inc: Incarnation, reason: string, kind: FailureKind, culprit?: Culprit): void {
    if (inc.gone !== null) return;
    inc.gone = reason;
    this.lastExitReason = reason;
    inc.failReady(reason);
    const where = { peer: this.name, generation: inc.generation };
    for (const [requestId, entry] of [...inc.inflight.entries()]) {
      const isCulprit = culprit !== undefined && (culprit.requestId === requestId || (culprit.requestId === undefined && culprit.sagaId === entry.sagaId && culprit.stepIndex === entry.stepIndex));
      if (culprit === undefined || isCulprit) entry.settle(failed(kind, reason, where));
      else {
        entry.settle(
          failed(
            'peer_restarted',
            `${this.label(inc)} was restarted because of saga ${culprit.sagaId} step ${culprit.stepIndex} (${kind === 'peer_garbage' ? 'its request got a garbage reply' : 'its request hung the peer'}); this request was in flight and got no answer`,
            where,
          ),
        );
      }
    }
    inc.inflight.clear();
    const source = this.source(inc);
    for (const answer of [...inc.questions.values()]) answer({ ok: false, source, why: `no answer: ${reason}` });
    inc.questions.clear();
    for (const p of inc.probes.values()) p();
    inc.probes.clear();
  }

  private onExit(inc: Incarnation, code: number | null, signal: string | null): void {
    const how = signal ? `signal ${signal}` : `code ${code ?? 'unknown'}`;
    this.retire(inc, `${this.label(inc)} exited with ${how}`, 'peer_exited');
    if (this.current !== inc || this.stopped) return;
    // A peer that dies right after starting is probably failing at startup: back off instead of spinning.
    const quick = Date.now() - inc.spawnedAt < 1000;
    this.quickExits = quick ? this.quickExits + 1 : 0;
    const delay = quick ? Math.min(MAX_BACKOFF_MS, 50 * 2 ** this.quickExits) : 0;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopped && this.current === inc) {
        try {
          this.spawn();
        } catch (err) {
          this.lastExitReason = errorMessage(err);
        }
      }
    }, delay);
  }

  private onMessage(inc: Incarnation, raw: unknown): void {
    if (inc.gone !== null) return;
    const parsed = PeerToMain.safeParse(raw);
    if (!parsed.success) {
      const claim = claimedRequest(raw);
      const found =
        claim === null
          ? undefined
          : 'requestId' in claim
            ? ((e) => (e ? ([claim.requestId, e] as const) : undefined))(inc.inflight.get(claim.requestId))
            : [...inc.inflight.entries()].find(([, e]) => e.sagaId === claim.sagaId && e.stepIndex === claim.stepIndex);
      const culprit = found ? { sagaId: found[1].sagaId, stepIndex: found[1].stepIndex, requestId: found[0] } : undefined;
      this.retire(inc, `${this.label(inc)} answered garbage: ${describeBadMessage(parsed.error, raw)}`, 'peer_garbage', culprit);
      inc.child.kill();
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'ready':
        inc.pid = msg.pid;
        inc.ops = msg.ops;
        if (inc.readyAt === null) {
          inc.readyAt = Date.now();
          inc.markReady();
          this.opts.onGeneration?.(this.name, inc.generation, inc.pid);
        }
        return;
      case 'pong':
        inc.probes.get(msg.nonce)?.();
        inc.probes.delete(msg.nonce);
        return;
      case 'receipts-reply': {
        const answer = inc.questions.get(msg.requestId);
        if (!answer) return;
        inc.questions.delete(msg.requestId);
        const reply = ReceiptsReply.safeParse(msg);
        const source = this.source(inc);
        if (!reply.success) answer({ ok: false, source, why: `the peer answered garbage: ${describeZodIssue(reply.error)}` });
        else if (!reply.data.ok) answer({ ok: false, source, why: `the peer could not read its receipts: ${reply.data.error}` });
        else {
          const { storeCreatedAt, note, atomicOps, receipts } = reply.data;
          answer({ ok: true, source, storeCreatedAt, note, atomicOps, receipts });
        }
        return;
      }
      case 'reply': {
        // A reply for an unknown id is a late answer to a request that already timed out or was cancelled.
        const entry = inc.inflight.get(msg.requestId);
        if (!entry) return;
        inc.inflight.delete(msg.requestId);
        entry.settle(msg.ok ? { ok: true, output: msg.output } : failed(msg.kind, msg.error, { peer: this.name, generation: inc.generation }));
        return;
      }
    }
  }

  /**
   * The identity of a ready incarnation, spawning or waiting for a restart as needed.
   * Throws PeerUnavailableError when none becomes ready within the startup timeout.
   */
  async ready(): Promise<PeerIdentity> {
    const deadline = Date.now() + this.opts.startupTimeoutMs;
    for (;;) {
      if (this.stopped) throw new PeerUnavailableError(`peer ${this.name} is stopped`);
      let inc = this.current;
      if (inc === null || (inc.gone !== null && this.restartTimer === null)) inc = this.spawn();
      if (inc.gone === null) {
        try {
          await inc.ready;
          if (inc.gone === null) return { generation: inc.generation, pid: inc.pid };
        } catch {
          // fall through: wait for the restart below
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new PeerUnavailableError(`peer ${this.name} is not available: ${this.lastExitReason ?? 'it did not start'}`);
      }
      if (this.restartTimer !== null) await this.nextSpawn(left);
    }
  }

  private nextSpawn(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.spawnWaiters.push(done);
    });
  }

  /**
   * Sends one request to incarnation `generation` and resolves with its reply, or with a failure
   * that says why there was none (exited, timed out, garbage, cancelled). Never rejects.
   */
  request(generation: number, req: PeerRequestInput): Promise<StepResult> {
    const inc = this.current;
    const where = { peer: this.name, generation };
    if (!inc || inc.generation !== generation || inc.gone !== null || inc.readyAt === null) {
      const now = inc && inc.gone === null ? `now generation ${inc.generation}` : (inc?.gone ?? 'not running');
      return Promise.resolve(failed('not_sent', `peer ${this.name} generation ${generation} is gone (${now}); the step was not sent`, where));
    }
    const requestId = `${generation}.${++this.requestSeq}`;
    const message: MainToPeer = {
      type: 'request',
      requestId,
      sagaId: req.sagaId,
      stepIndex: req.stepIndex,
      command: req.command,
      deadlineAt: Date.now() + req.deadlineMs,
      idempotencyKey: req.idempotencyKey,
      attempt: generation,
    };
    return race<StepResult>(
      {
        deadlineMs: req.deadlineMs,
        signal: req.signal,
        onDeadline: () => failed('deadline', `${this.label(inc)} timed out after ${req.deadlineMs}ms`, where),
        onCancel: (why) => failed('cancelled', `cancelled while in flight at ${this.label(inc)}: ${why}`, where),
        onSettled: (how) => {
          const sent = inc.inflight.delete(requestId);
          if (how === 'answer' || !sent) return;
          this.post(inc, { type: 'cancel', requestId });
          if (how === 'deadline') this.probe(inc, { sagaId: req.sagaId, stepIndex: req.stepIndex });
        },
      },
      ({ settle }) => {
        inc.inflight.set(requestId, { sagaId: req.sagaId, stepIndex: req.stepIndex, settle });
        try {
          inc.child.postMessage(message);
        } catch (err) {
          settle(failed('not_sent', `${this.label(inc)} could not be sent the request: ${errorMessage(err)}`, where));
        }
      },
    );
  }

  /** Names the incarnation as an answer's source, without its pid (which changes every launch). */
  private source(inc: Incarnation): string {
    return `peer ${this.name} generation ${inc.generation}`;
  }

  /**
   * Reconciliation's question to the current ready incarnation: which of these steps it holds
   * receipts for. Read-only on the peer's side; never rejects (no answer in time is `ok: false`).
   */
  receipts(steps: readonly StepRef[], deadlineMs: number): Promise<ReceiptsAnswer> {
    const inc = this.current;
    if (!inc || inc.gone !== null || inc.readyAt === null) {
      return Promise.resolve({ ok: false, source: `peer ${this.name}`, why: `peer ${this.name} is not running (${inc?.gone ?? 'not started'})` });
    }
    const requestId = `r${inc.generation}.${++this.requestSeq}`;
    const source = this.source(inc);
    return race<ReceiptsAnswer>(
      {
        deadlineMs,
        onDeadline: () => ({ ok: false, source, why: `no answer within ${deadlineMs}ms` }),
        onCancel: (why) => ({ ok: false, source, why }),
        onSettled: () => inc.questions.delete(requestId),
      },
      ({ settle }) => {
        inc.questions.set(requestId, settle);
        try {
          inc.child.postMessage({ type: 'receipts', requestId, steps: [...steps] } satisfies MainToPeer);
        } catch (err) {
          settle({ ok: false, source, why: `the question could not be sent: ${errorMessage(err)}` });
        }
      },
    );
  }

  private post(inc: Incarnation, message: MainToPeer): void {
    if (inc.gone !== null) return;
    try {
      inc.child.postMessage(message);
    } catch {
      // The exit handler reports a closed channel; nothing more to say here.
    }
  }

  /** After a timeout: a peer whose event loop no longer answers is hung, so it is killed and restarted. */
  private probe(inc: Incarnation, culprit: Culprit): void {
    if (inc.gone !== null) return;
    const nonce = ++this.nonceSeq;
    const t = setTimeout(() => {
      inc.probes.delete(nonce);
      if (inc.gone !== null) return;
      this.retire(inc, `${this.label(inc)} hung: it did not answer a liveness check within ${this.opts.probeTimeoutMs}ms`, 'peer_exited', culprit);
      inc.child.kill();
    }, this.opts.probeTimeoutMs);
    inc.probes.set(nonce, () => clearTimeout(t));
    this.post(inc, { type: 'ping', nonce });
  }

  /** Orderly stop: ask the peer to exit, kill it if it does not, and never restart it. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    for (const w of this.spawnWaiters.splice(0)) w();
    const inc = this.current;
    if (!inc) return;
    this.post(inc, { type: 'shutdown' });
    const timer = setTimeout(() => inc.child.kill(), inc.gone === null ? this.opts.stopTimeoutMs : 0);
    await inc.exited;
    clearTimeout(timer);
  }
}
