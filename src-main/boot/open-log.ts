// Opens <userData>/launcher-sagas.db for a launch. A file that cannot be a saga log (not
// SQLite, truncated, damaged pages, another program's database) is renamed aside with its
// bytes untouched and a fresh log is started; everything else that goes wrong (read-only,
// disk full, locked by another process) stops the launch with an error saying which.
import fs from 'node:fs';
import path from 'node:path';
import type { MovedAsideFile, RecoveredSaga } from '../../src-shared/saga-model';
import { SagaLogError } from '../saga/log/errors';
import { IdReservation } from '../saga/log/id-reservation';
import { type Damage, type InterruptedRead, findDamage, readInterrupted, readHighestSagaId } from '../saga/log/log-check';
import { LOG_FILE_NAME, SagaLog } from '../saga/log/saga-log';
import { recoveryPlan } from '../saga/recovery';
import { type LogOwnerClaim, claimLogAtRecovery } from './boot-owner';

export interface OpenLogOptions {
  busyTimeoutMs?: number;
  /** Caps the log's size in pages (tests simulate a full disk with it). */
  maxPageCount?: number;
  clock?: () => Date;
  quickCheckMaxBytes?: number;
  /**
   * The launch opening the log: the open fails if another launch recorded as the log's owner
   * still runs, and this one is recorded as the owner by launch recovery (see boot-owner.ts).
   */
  owner?: LogOwnerClaim;
}

export interface OpenedLog {
  log: SagaLog;
  movedAside: MovedAsideFile[];
  /** The companions as the previous run left them, for setting this log aside later. */
  crash: LeftBehind;
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

/**
 * The companions as the previous run left them, taken before any connection opens the log.
 * Even a read-only connection rebuilds the -shm index of a crashed writer's WAL, and creates
 * a -shm (or an empty -wal) where there was none; the moved-aside set gets the originals back.
 */
export interface LeftBehind {
  shm: Buffer | null;
  present: Set<string>;
}

export function leftBehind(file: string): LeftBehind {
  const present = new Set(COMPANION_SUFFIXES.filter((s) => fs.existsSync(file + s)));
  return { shm: present.has('-shm') ? fs.readFileSync(`${file}-shm`) : null, present };
}

/** How many interrupted sagas the reason names one by one; the rest are counted (all are in `interrupted`). */
const NAMED_IN_REASON = 3;

/** The reason an operator reads in the panel and diag, saying what the file still holds. */
function reasonFor(damage: string, read: InterruptedRead | null): { reason: string; interrupted?: RecoveredSaga[] } {
  if (read === null) return { reason: damage };
  if ('unreadable' in read) return { reason: `${damage}; its interrupted sagas could not be read (${read.unreadable})` };
  const interrupted = recoveryPlan(read.sagas);
  if (interrupted.length === 0) return { reason: `${damage}; no saga in it was left unresolved`, interrupted };
  const named = interrupted.slice(0, NAMED_IN_REASON).map((m) => `#${m.sagaId} ${m.name} ${m.reason}`);
  const more = interrupted.length > NAMED_IN_REASON ? `; and ${interrupted.length - NAMED_IN_REASON} more` : '';
  const count = `${interrupted.length} interrupted saga${interrupted.length === 1 ? '' : 's'}`;
  return { reason: `${damage}; it holds ${count}, left unmarked there: ${named.join('; ')}${more}`, interrupted };
}

/**
 * Renames the file and its companions; rename keeps every byte and is atomic per file.
 * `closeLog` closes a connection still open on the file only once it is renamed: SQLite then
 * sees its database moved and neither checkpoints the WAL into it nor deletes the -wal.
 */
export function moveAside(
  file: string,
  damage: Damage,
  now: Date,
  crash: LeftBehind = leftBehind(file),
  read: InterruptedRead | null = null,
  closeLog: () => void = () => {},
  highestSagaId: number | null = null,
): MovedAsideFile {
  const to = asideName(file, now);
  fs.renameSync(file, to);
  try {
    for (const suffix of COMPANION_SUFFIXES) {
      // Renamed with the same suffix so SQLite still pairs the WAL with its database when someone inspects it.
      if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, to + suffix);
    }
  } finally {
    closeLog();
  }
  for (const suffix of COMPANION_SUFFIXES) {
    if (!crash.present.has(suffix)) fs.rmSync(to + suffix, { force: true });
  }
  if (crash.shm !== null) fs.writeFileSync(`${to}-shm`, crash.shm);
  return { from: file, to, ...reasonFor(damage.reason, read), ...(highestSagaId !== null && { highestSagaId }) };
}

/** A fresh log started beside moved-aside ones never issues an id they had issued (invariant 2). */
export function continueIds(log: SagaLog, movedAside: readonly MovedAsideFile[], reserved = 0): void {
  const floor = Math.max(reserved, ...movedAside.map((m) => m.highestSagaId ?? 0));
  if (floor > log.maxSagaId()) log.raiseIdFloor(floor);
}

export function logFileIn(userDataDir: string): string {
  return path.join(userDataDir, LOG_FILE_NAME);
}

export function openLog(userDataDir: string, options: OpenLogOptions = {}): OpenedLog {
  const opened = openUnclaimed(userDataDir, options);
  const { owner } = options;
  if (!owner) return opened;
  try {
    claimLogAtRecovery(opened.log, userDataDir, owner);
    return opened;
  } catch (err) {
    // Damaged pages met reading the owner record are set aside like damage recovery meets.
    if (!(err instanceof SagaLogError) || err.code !== 'corrupt' || opened.movedAside.length > 0) {
      opened.log.close();
      throw err;
    }
    return replaceDamagedLog(opened, { kind: 'corrupt_pages', reason: `corrupt pages found while recording the launch (${err.message})` }, userDataDir, options);
  }
}

/**
 * The one answer to damage that surfaces under the writable connection (while the launch records
 * itself, or while recovery writes): the file is set aside as the crash left it, and a fresh log
 * that continues its ids takes its place. The fresh log is not checked again: it is new.
 */
export function replaceDamagedLog(opened: OpenedLog, damage: Damage, userDataDir: string, options: OpenLogOptions): OpenedLog {
  const clock = options.clock ?? (() => new Date());
  const moved = setAsideOpenLog(opened, damage, clock());
  const fresh = openUnclaimed(userDataDir, { ...options, owner: undefined });
  continueIds(fresh.log, [moved]);
  if (options.owner) {
    try {
      claimLogAtRecovery(fresh.log, userDataDir, options.owner);
    } catch (again) {
      fresh.log.close();
      throw again;
    }
  }
  return { ...fresh, movedAside: [moved, ...fresh.movedAside] };
}

/**
 * A -wal (or -shm) whose database is gone holds committed sagas SQLite would discard on the next
 * open. It is kept: paired with the moved-aside file it belongs to when a kill cut that move short
 * (the newest bad file without a -wal), else moved aside under a name of its own.
 */
function keepOrphanedCompanions(file: string, now: Date): MovedAsideFile | null {
  if (fs.existsSync(file)) return null;
  const orphans = COMPANION_SUFFIXES.filter((s) => fs.existsSync(file + s) && fs.statSync(file + s).size > 0);
  if (orphans.length === 0) return null;
  const dir = path.dirname(file);
  const base = path.basename(file);
  const unpaired = fs
    .readdirSync(dir)
    .filter((n) => n.startsWith(`${base}.bad-`) && !COMPANION_SUFFIXES.some((s) => n.endsWith(s)) && !fs.existsSync(path.join(dir, `${n}-wal`)))
    .sort()
    .pop();
  const to = unpaired !== undefined ? path.join(dir, unpaired) : asideName(file, now);
  for (const suffix of COMPANION_SUFFIXES) if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, to + suffix);
  const what = orphans.map((s) => `${base}${s}`).join(' and ');
  return {
    from: file,
    to,
    reason:
      unpaired !== undefined
        ? `${what} were left beside no database: a move aside cut short by a crash; completed, so ${path.basename(to)} has its companions again`
        : `${what} were found without the log itself (it was deleted); kept byte for byte as ${path.basename(to)}${orphans[0]}`,
  };
}

function openUnclaimed(userDataDir: string, options: OpenLogOptions): OpenedLog {
  const file = logFileIn(userDataDir);
  const clock = options.clock ?? (() => new Date());
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const idReservation = IdReservation.in(userDataDir);
  const logOptions = { busyTimeoutMs, maxPageCount: options.maxPageCount, clock, idReservation };
  assertWritable(userDataDir, file);
  const movedAside: MovedAsideFile[] = [];
  const orphaned = keepOrphanedCompanions(file, clock());
  if (orphaned) movedAside.push(orphaned);
  // A log created by this open, or one that replaces a moved-aside file, continues above every id
  // the profile ever reserved: the lost file's highest id may not be readable (or not be there).
  const replacing = () => movedAside.length > 0 || !fs.existsSync(file) || fs.statSync(file).size === 0;
  let crash = leftBehind(file);
  if (fs.existsSync(file) && fs.statSync(file).size > 0) {
    const damage = findDamage(file, { busyTimeoutMs, quickCheckMaxBytes: options.quickCheckMaxBytes });
    if (damage !== null) {
      // A file that is not SQLite at all has nothing in it to read.
      const read = damage.kind === 'not_sqlite' ? null : readInterrupted(file, { busyTimeoutMs });
      movedAside.push(moveAside(file, damage, clock(), crash, read, undefined, readHighestSagaId(file, { busyTimeoutMs })));
      crash = leftBehind(file);
    }
  }
  try {
    const fresh = replacing();
    const log = SagaLog.open(file, logOptions);
    continueIds(log, movedAside, fresh ? idReservation.reservedThrough : 0);
    return { log, movedAside, crash };
  } catch (err) {
    // A file the check passed can still be another program's database, found by the schema probe.
    // (A 'corrupt' here comes after the constructor closed a writable connection; the check above
    // runs a full quick_check before any migration so that this stays the rare case.)
    if (!(err instanceof SagaLogError) || (err.code !== 'foreign' && err.code !== 'corrupt') || movedAside.length > 0) {
      throw err;
    }
    const read = err.code === 'corrupt' ? readInterrupted(file, { busyTimeoutMs }) : null;
    movedAside.push(moveAside(file, { kind: err.code === 'corrupt' ? 'corrupt_pages' : 'foreign', reason: err.message }, clock(), crash, read, undefined, readHighestSagaId(file, { busyTimeoutMs })));
    const log = SagaLog.open(file, logOptions);
    continueIds(log, movedAside, idReservation.reservedThrough);
    return { log, movedAside, crash: leftBehind(file) };
  }
}

/**
 * Sets aside a log whose damage surfaced only under its writable connection (launch recovery
 * met it): what is still readable of its interrupted sagas is read first, the files are renamed
 * while the connection is open, and only then is it closed, so the bytes are the crash's.
 */
export function setAsideOpenLog(opened: OpenedLog, damage: Damage, now: Date): MovedAsideFile {
  const { log } = opened;
  let read: InterruptedRead;
  try {
    read = { sagas: log.unresolved() };
  } catch (err) {
    read = { unreadable: err instanceof Error ? err.message : String(err) };
  }
  let highest: number | null;
  try {
    highest = log.maxSagaId();
  } catch {
    highest = null;
  }
  return moveAside(log.file, damage, now, opened.crash, read, () => log.close(), highest);
}
