// host's sessions: one session per open workspace, started and stopped on command. A session
// is a forked process (Node host) or a worker thread (Electron host); see session-mode.ts.
// Either way no session outlives a crash: a forked one watches host (and host watches main),
// a thread ends with host's process.
import crypto from 'node:crypto';
import { z } from 'zod';
import { type SessionHandle, type SessionLauncher, sessionLauncher } from './session-launcher';
import type { SessionMode } from './session-mode';

/** Why `signal` was aborted, for the start failure's message. */
function abortReason(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : r === undefined ? 'aborted' : String(r);
}

const SessionMessage = z.object({ type: z.literal('ready'), pid: z.number().int().positive() });

interface Session {
  sessionId: string;
  workspaceId: string;
  handle: SessionHandle;
  pid: number;
  exited: Promise<void>;
}

export interface SessionInfo {
  sessionId: string;
  workspaceId: string;
  /** The OS process the session runs in; under `thread` mode that is host's own pid. */
  pid: number;
}

export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private readonly launch: SessionLauncher;

  constructor(
    private readonly sessionEntry: string,
    mode: SessionMode = 'fork',
    private readonly startTimeoutMs = 10_000,
  ) {
    this.launch = sessionLauncher(mode);
  }

  async start(workspaceId: string, signal: AbortSignal): Promise<SessionInfo> {
    const sessionId = `session-${crypto.randomUUID()}`;
    const handle = this.launch(this.sessionEntry, ['--workspace-id', workspaceId, '--session-id', sessionId]);
    const exited = new Promise<void>((resolve) => handle.onExit(() => resolve()));
    try {
      const pid = await new Promise<number>((resolve, reject) => {
        const fail = (why: string) => {
          cleanup();
          handle.kill();
          reject(new Error(`session for workspace '${workspaceId}' did not start: ${why}`));
        };
        const offMessage = handle.onMessage((m: unknown) => {
          const parsed = SessionMessage.safeParse(m);
          if (parsed.success) {
            cleanup();
            resolve(parsed.data.pid);
          }
        });
        const offExit = handle.onExit((how) => fail(`it ended (${how})`));
        const onAbort = () => fail(`the step was cancelled (${abortReason(signal)})`);
        const timer = setTimeout(() => fail(`no ready message within ${this.startTimeoutMs}ms`), this.startTimeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          offMessage();
          offExit();
          signal.removeEventListener('abort', onAbort);
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      this.sessions.set(sessionId, { sessionId, workspaceId, handle, pid, exited });
      void exited.then(() => this.sessions.delete(sessionId));
      return { sessionId, workspaceId, pid };
    } catch (err) {
      await exited;
      throw err;
    }
  }

  /** Idempotent, as an undo must be: stopping a session that is gone reports stopped: false. */
  async stop(sessionId: string): Promise<{ sessionId: string; stopped: boolean; workspaceId: string | null }> {
    const session = this.sessions.get(sessionId);
    if (!session) return { sessionId, stopped: false, workspaceId: null };
    this.sessions.delete(sessionId);
    session.handle.askToStop();
    const kill = setTimeout(() => session.handle.kill(), 2000);
    await session.exited;
    clearTimeout(kill);
    return { sessionId, stopped: true, workspaceId: session.workspaceId };
  }

  list(): SessionInfo[] {
    return [...this.sessions.values()].map((s) => ({ sessionId: s.sessionId, workspaceId: s.workspaceId, pid: s.pid }));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.stop(id)));
  }
}
