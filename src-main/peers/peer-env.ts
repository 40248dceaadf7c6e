// What main tells a peer about itself, through the peer's environment, so an app's peer entry
// needs no arguments: which peer it is, the profile it serves, the process it must not outlive,
// and how it was started (a forked Node process, or an Electron utility process).
import { z } from 'zod';
import { describeZodIssue } from '../../src-shared/zod-issue';

export const PEER_ENV = {
  parentPid: 'LAUNCHER_PARENT_PID',
  name: 'LAUNCHER_PEER_NAME',
  userDataDir: 'LAUNCHER_USER_DATA_DIR',
  process: 'LAUNCHER_PEER_PROCESS',
} as const;

export const PeerProcessKind = z.enum(['fork', 'utility']);
export type PeerProcessKind = z.infer<typeof PeerProcessKind>;

const PeerEnvSchema = z.object({
  [PEER_ENV.name]: z.enum(['host', 'srv'], { error: 'must be host or srv' }),
  [PEER_ENV.userDataDir]: z.string({ error: 'is required' }).min(1, 'must not be empty'),
  [PEER_ENV.process]: PeerProcessKind.default('fork'),
});

/** What a peer knows about where it runs; handed to the app's handler factory. */
export interface PeerContext {
  name: 'host' | 'srv';
  /** The profile directory main runs on; a peer keeps its own stores in it. */
  userDataDir: string;
  /** `utility` under Electron: no fork of the app's binary as Node is possible there (RunAsNode fuse off). */
  processKind: PeerProcessKind;
}

export function peerContextFromEnv(env: NodeJS.ProcessEnv): PeerContext {
  const parsed = PeerEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`this peer was not started by the saga subsystem (${describeZodIssue(parsed.error)}); it is started by the app, not by hand`);
  }
  const v = parsed.data;
  return { name: v[PEER_ENV.name], userDataDir: v[PEER_ENV.userDataDir], processKind: v[PEER_ENV.process] };
}
