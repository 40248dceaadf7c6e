// Opens <userData>/launcher-sagas.db for a launch. A file that cannot be a saga log (not
// SQLite, truncated, damaged pages, another program's database) is renamed aside with its
// bytes untouched and a fresh log is started; everything else that goes wrong (read-only,
// disk full, locked by another process) stops the launch with an error saying which.
import fs from 'node:fs';
import path from 'node:path';
import type { MovedAsideFile } from '../../src-shared/saga-model';
import { SagaLogError } from '../saga/log/errors';
import { LOG_FILE_NAME, SagaLog } from '../saga/log/saga-log';
import { findDamage } from './log-check';

export interface OpenLogOptions {
  busyTimeoutMs?: number;
  /** Caps the log's size in pages (tests simulate a full disk with it). */
  maxPageCount?: number;
  clock?: () => Date;
  quickCheckMaxBytes?: number;
}

export interface OpenedLog {
  log: SagaLog;
  movedAside: MovedAsideFile[];
}

/** SQLite's companions of a database file; they belong to it and move with it. */
const COMPANION_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

function assertWritable(userDataDir: string, file: string): void {
  const denied = (p: string): boolean => {
    try {
      fs.accessSync(p, fs.constants.W_OK);
      return false;
    } catch {
      return true;
    }
  };
  // SQLite would report these as a generic "unable to open"; the operator needs to know which.
  if (denied(userDataDir)) {
    throw new SagaLogError('read_only', `the user-data dir ${userDataDir} is read-only, so the saga log cannot be written there; nothing was changed`);
  }
  for (const p of [file, ...COMPANION_SUFFIXES.map((s) => file + s)]) {
    if (fs.existsSync(p) && denied(p)) {
      throw new SagaLogError('read_only', `the saga log file ${p} is read-only, so the launch cannot record anything; nothing was changed`);
    }
  }
}

function asideName(file: string, now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let to = `${file}.bad-${stamp}`;
  // Two bad files in the same millisecond (a test, a fast relaunch loop) must not overwrite each other.
  for (let n = 1; fs.existsSync(to); n++) to = `${file}.bad-${stamp}-${n}`;
  return to;
}

/** Renames the file and its companions; rename keeps every byte and is atomic per file. */
export function moveAside(file: string, reason: string, now: Date): MovedAsideFile {
  const to = asideName(file, now);
  fs.renameSync(file, to);
  for (const suffix of COMPANION_SUFFIXES) {
    // Renamed with the same suffix so SQLite still pairs the WAL with its database when someone inspects it.
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, to + suffix);
  }
  return { from: file, to, reason };
}

export function logFileIn(userDataDir: string): string {
  return path.join(userDataDir, LOG_FILE_NAME);
}

export function openLog(userDataDir: string, options: OpenLogOptions = {}): OpenedLog {
  const file = logFileIn(userDataDir);
  const clock = options.clock ?? (() => new Date());
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const logOptions = { busyTimeoutMs, maxPageCount: options.maxPageCount, clock };
  assertWritable(userDataDir, file);
  const movedAside: MovedAsideFile[] = [];
  if (fs.existsSync(file) && fs.statSync(file).size > 0) {
    const damage = findDamage(file, { busyTimeoutMs, quickCheckMaxBytes: options.quickCheckMaxBytes });
    if (damage !== null) movedAside.push(moveAside(file, damage, clock()));
  }
  try {
    return { log: SagaLog.open(file, logOptions), movedAside };
  } catch (err) {
    // A file the check passed can still be another program's database, found by the schema probe.
    if (!(err instanceof SagaLogError) || (err.code !== 'foreign' && err.code !== 'corrupt') || movedAside.length > 0) {
      throw err;
    }
    movedAside.push(moveAside(file, err.message, clock()));
    return { log: SagaLog.open(file, logOptions), movedAside };
  }
}
