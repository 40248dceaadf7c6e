// How host runs a workspace session, chosen by main through host's environment.
//
// `fork` (the Node host): each session is its own OS process, forked with host's Node binary.
// `thread` (the Electron host): each session is a worker thread inside host's utility process.
// Electron's packaged app turns the runAsNode fuse off, so a utility process cannot fork its own
// binary as Node (ELECTRON_RUN_AS_NODE is ignored and the child would start a second app).
// A worker thread needs no second binary and ends with host's process, so no session outlives
// host (or main, which host watches) in either mode.
import { z } from 'zod';
import type { PeerProcessKind } from '../index';

export const SESSION_MODE_ENV = 'LAUNCHER_SESSION_MODE';

export const SessionMode = z.enum(['fork', 'thread']);
export type SessionMode = z.infer<typeof SessionMode>;

/** Unset means `fork`; anything else but the two modes is a start-up error, not a silent default. */
export function sessionModeFromEnv(env: NodeJS.ProcessEnv): SessionMode {
  const raw = env[SESSION_MODE_ENV];
  if (raw === undefined || raw === '') return 'fork';
  const parsed = SessionMode.safeParse(raw);
  if (!parsed.success) throw new Error(`${SESSION_MODE_ENV}='${raw.slice(0, 64)}' is not a session mode (use ${SessionMode.options.join(' or ')})`);
  return parsed.data;
}

/** Under Electron (a utility process) sessions must be threads; elsewhere the environment decides. */
export function sessionModeFor(processKind: PeerProcessKind, env: NodeJS.ProcessEnv): SessionMode {
  return processKind === 'utility' ? 'thread' : sessionModeFromEnv(env);
}
