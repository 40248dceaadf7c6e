// The operations host offers: session processes for open workspaces.
import { type CommandHandler, defineHandler } from '../index';
import { ListSessions, Noop, StartSession, StopSession } from './domain-commands';
import type { SessionManager } from './session-manager';

export function hostHandlers(sessions: SessionManager): Record<string, CommandHandler> {
  return Object.fromEntries<CommandHandler>([
    ['start_session', defineHandler(StartSession, (c, ctx) => sessions.start(c.workspaceId, ctx.signal))],
    ['stop_session', defineHandler(StopSession, (c) => sessions.stop(c.sessionId))],
    ['list_sessions', defineHandler(ListSessions, () => ({ sessions: sessions.list() }))],
    ['noop', defineHandler(Noop, () => ({}))],
  ]);
}
