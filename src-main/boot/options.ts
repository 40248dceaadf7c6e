// Every option of the subsystem, declared once as a zod schema: startSagaSubsystem checks what the
// app gives before the profile lock is taken or anything is written, and the type comes from here.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { HandlersOption } from '../saga/self-handlers';
import type { SagaDefinition } from '../saga/define-saga';
import type { PeerName, SpawnPeer } from '../peers/peer-transport';
import type { CheckpointerOptions } from '../saga/log/checkpointer';
import type { RetentionOptions } from './retention';

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', `must be a function (${what})`);

const PeerEntrySchema = z.object({
  entry: z
    .string({ error: 'is required: the absolute path of the peer entry file that calls runPeer' })
    .min(1)
    .refine((p) => path.isAbsolute(p), 'must be an absolute path')
    .refine((p) => fs.existsSync(p) && fs.statSync(p).isFile(), { message: 'names no file; build the peer entry first or fix the path' }),
  env: z.record(z.string(), z.string()).optional(),
});



export const SubsystemOptionsSchema = z.strictObject({
  /** The profile folder: the log, the lock and the peers' own stores live in it. */
  userDataDir: z.string({ error: 'is required' }).min(1, 'must not be empty'),
  /** The app's sagas; a saga can still be run without being listed, but listed ones are checked at start. */
  sagas: z.array(z.custom<SagaDefinition<unknown>>((v) => typeof v === 'object' && v !== null && 'steps' in v, 'must be made with defineSaga')).optional(),
  /** The app's `self` handlers: op -> handler, run in main. */
  self: z.custom<HandlersOption>((v) => typeof v === 'object' && v !== null, 'must be an object of op -> handler').optional(),
  /** The app's peers, any subset: each an entry file that calls runPeer. */
  peers: z.object({ host: PeerEntrySchema.optional(), srv: PeerEntrySchema.optional() }).strict().optional(),
  /** How peers are started: child_process.fork by default, utilityProcess in Electron. */
  spawnPeer: fn<SpawnPeer>('spawnPeer').optional(),
  /** Retention of finished sagas; `false` turns it off. */
  retention: z.union([z.literal(false), z.custom<RetentionOptions>((v) => typeof v === 'object' && v !== null)]).optional(),
  /**
   * The checkpoint worker: checkpoints and vacuum on a worker thread's own connection, main's
   * auto-checkpoint off while it runs; `false` leaves them on the main connection.
   */
  checkpointWorker: z
    .union([z.literal(false), z.custom<Omit<CheckpointerOptions, 'onFailure'>>((v) => typeof v === 'object' && v !== null, 'must be false or an object of tuning')])
    .optional(),
  busyTimeoutMs: z.number().int().positive().optional(),
  /** Caps the log's size in pages (tests simulate a full disk with it). */
  maxPageCount: z.number().int().positive().optional(),
  /** Logs larger than this get only the pages recovery reads checked, not a full quick_check. */
  quickCheckMaxBytes: z.number().int().nonnegative().optional(),
  clock: fn<() => Date>('clock').optional(),
  /** Extra environment for every peer. */
  peerEnv: z.record(z.string(), z.string()).optional(),
  peerStartupTimeoutMs: z.number().int().positive().optional(),
  peerProbeTimeoutMs: z.number().int().positive().optional(),
  defaultStepDeadlineMs: z.number().int().positive().optional(),
  /** How long each peer has to answer reconciliation's question about its receipts (5 s by default). */
  reconcileDeadlineMs: z.number().int().positive().optional(),
  /** Called as each boot phase begins. */
  onPhase: fn<(phase: BootPhase) => void>('onPhase').optional(),
  /** Where background retention failures go (and a checkpoint worker that failed or died); they never stop the app. */
  onRetentionError: fn<(err: unknown) => void>('onRetentionError').optional(),
  onPeerGeneration: fn<(name: PeerName, generation: number, pid: number | undefined) => void>('onPeerGeneration').optional(),
});

export type SubsystemOptions = z.input<typeof SubsystemOptionsSchema>;
export type BootPhase = 'lock' | 'open' | 'recover' | 'peers' | 'ready';

/** Bad options: nothing was locked or written. */
export class SubsystemOptionsError extends Error {
  override readonly name = 'SubsystemOptionsError';
}

export function parseSubsystemOptions(raw: unknown): SubsystemOptions {
  const parsed = SubsystemOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `option ${issue.path.join('.')}` : 'options';
    throw new SubsystemOptionsError(`startSagaSubsystem: ${where} ${issue.message}`);
  }
  return parsed.data as SubsystemOptions;
}
