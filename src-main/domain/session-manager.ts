// host's sessions: one real child process per open workspace, started and stopped on command.
// Each session watches host (and host watches main), so no session outlives a crash.
import { type ChildProcess, fork } from 'node:child_process';
import crypto from 'node:crypto';
import { z } from 'zod';
import { PARENT_PID_ENV } from '../peers/parent-watch';

const SessionMessage = z.object({ type: z.literal('ready'), pid: z.number().int().positive() });

interface Session {
  sessionId: string;
  workspaceId: string;
  child: ChildProcess;
  exited: Promise<void>;
}

export interface SessionInfo {
  sessionId: string;
  workspaceId: string;
  pid: number;
}

export class SessionManager {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly sessionEntry: string,
    private readonly startTimeoutMs = 10_000,
  ) {}

  async start(workspaceId: string, signal: AbortSignal): Promise<SessionInfo> {
    const sessionId = `session-${crypto.randomUUID()}`;
    const child = fork(this.sessionEntry, ['--workspace-id', workspaceId, '--session-id', sessionId], {
      execPath: process.execPath,
      // Not main's own flags (a test runner's --import tsx, --inspect): the peers are built JavaScript.
      execArgv: [],
      // Under Electron's utilityProcess, execPath is Electron itself: make it behave as Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', [PARENT_PID_ENV]: String(process.pid) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const session: Session = { sessionId, workspaceId, child, exited };
    try {
      const pid = await new Promise<number>((resolve, reject) => {
        const fail = (why: string) => {
          cleanup();
          child.kill('SIGKILL');
          reject(new Error(`session for workspace '${workspaceId}' did not start: ${why}`));
        };
        const onMessage = (m: unknown) => {
          const parsed = SessionMessage.safeParse(m);
          if (parsed.success) {
            cleanup();
            resolve(parsed.data.pid);
          }
        };
        const onExit = (code: number | null, sig: string | null) => fail(`it exited with ${sig ? `signal ${sig}` : `code ${code}`}`);
        const onError = (err: Error) => fail(err.message);
        const onAbort = () => fail(`the step was cancelled (${String((signal.reason as Error | undefined)?.message ?? 'aborted')})`);
        const timer = setTimeout(() => fail(`no ready message within ${this.startTimeoutMs}ms`), this.startTimeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
          child.off('error', onError);
          signal.removeEventListener('abort', onAbort);
        };
        child.on('message', onMessage);
        child.on('exit', onExit);
        child.on('error', onError);
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      this.sessions.set(sessionId, session);
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
    if (session.child.connected) session.child.send({ type: 'stop' });
    const kill = setTimeout(() => session.child.kill('SIGKILL'), 2000);
    await session.exited;
    clearTimeout(kill);
    return { sessionId, stopped: true, workspaceId: session.workspaceId };
  }

  list(): SessionInfo[] {
    return [...this.sessions.values()].map((s) => ({ sessionId: s.sessionId, workspaceId: s.workspaceId, pid: s.child.pid ?? 0 }));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.stop(id)));
  }
}
