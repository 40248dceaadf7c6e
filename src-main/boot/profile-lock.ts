// One launcher process per user-data dir. The lock is an exclusive SQLite transaction held
// open on <userData>/launcher.lock for the life of the process: SQLite takes it with an OS
// file lock, which the kernel drops when the process dies, so a SIGKILLed instance never
// blocks the next launch and no stale-pid heuristics are needed. Nothing else may open
// launcher.lock itself: closing any descriptor of a file drops a process's POSIX locks on it
// (SQLite guards its own connections against that, plain fs calls would not be).
// Deleting launcher.lock while the app runs would let a second launch lock a new file, so each
// launch also records itself in the saga log (boot-owner.ts) with this file's inode.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ensureProfileDir } from './profile-dir';

export const LOCK_FILE_NAME = 'launcher.lock';
/** Who holds the lock, for the refusal message; the lock itself never depends on it. */
export const LOCK_HOLDER_FILE_NAME = 'launcher.lock.pid';

export class ProfileLockedError extends Error {
  override readonly name = 'ProfileLockedError';
  constructor(
    readonly userDataDir: string,
    readonly holderPid: number | null,
    /** How the holder was found, when not by the lock file itself. */
    how?: string,
  ) {
    const who = holderPid === null ? 'another launcher process' : `another launcher process (pid ${holderPid})`;
    super(
      `the profile ${userDataDir} is in use by ${who}${how ? `, ${how}` : ''}; close it or use another user-data dir (this launch changed nothing)`,
    );
  }
}

export interface ProfileLock {
  readonly file: string;
  /** The inode of the lock file this process holds (null if it could not be read). */
  readonly fileId: number | null;
  /** True until released. */
  readonly held: boolean;
  release(): void;
}

/**
 * Strong references to the held locks: if the lock object became garbage, better-sqlite3 would
 * close its connection on collection and silently hand the profile to a second instance.
 */
const held = new Set<Database.Database>();

function readHolderPid(file: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isBusy(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

function isNotADatabase(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_NOTADB' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'));
}

function openLockFile(userDataDir: string, file: string): Database.Database {
  ensureProfileDir(userDataDir);
  try {
    fs.accessSync(userDataDir, fs.constants.W_OK);
    // timeout 0: a live holder keeps the lock for hours; waiting would only delay the refusal.
    return new Database(file, { timeout: 0 });
  } catch (err) {
    // SQLite only says "unable to open"; the operator needs to know the folder is the problem.
    const why = (err as NodeJS.ErrnoException).code === 'EACCES' || (err as NodeJS.ErrnoException).code === 'EROFS'
      ? 'the folder is read-only or not accessible'
      : (err as Error).message;
    throw new Error(`cannot take the profile lock in the user-data dir ${userDataDir}: ${why}; nothing was changed`, { cause: err });
  }
}

/** Locks `db` or says why not: 'busy' (someone holds it) or 'garbage' (the file is not SQLite). */
function lockOrWhy(db: Database.Database): 'locked' | 'busy' | 'garbage' {
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // Never committed: the open EXCLUSIVE transaction is the lock, and it writes no journal,
    // so a kill leaves no hot journal behind for the next launch to roll back.
    db.exec('BEGIN EXCLUSIVE');
    return 'locked';
  } catch (err) {
    db.close();
    if (isBusy(err)) return 'busy';
    // SQLite reads the header only once it holds a lock, so no live launch holds a file that fails here.
    if (isNotADatabase(err)) return 'garbage';
    throw err;
  }
}

/** Replaces a lock file that holds bytes SQLite cannot read with an empty one, in one rename. */
function replaceGarbageLock(file: string): void {
  const fresh = `${file}.new-${process.pid}`;
  fs.writeFileSync(fresh, '');
  fs.renameSync(fresh, file);
  process.emitWarning(
    `the profile lock file ${file} held bytes that are not a lock (no process held it); it was replaced with a fresh one`,
    { code: 'LAUNCHER_LOCK_REPLACED' },
  );
}

function inodeOf(file: string): number | null {
  try {
    const ino = fs.statSync(file).ino;
    return Number.isSafeInteger(ino) && ino > 0 ? ino : null;
  } catch {
    return null;
  }
}

/** Takes the profile lock or throws ProfileLockedError naming the holder. Never waits. */
export function acquireProfileLock(userDataDir: string): ProfileLock {
  const file = path.join(userDataDir, LOCK_FILE_NAME);
  const holderFile = path.join(userDataDir, LOCK_HOLDER_FILE_NAME);
  let db = openLockFile(userDataDir, file);
  let outcome = lockOrWhy(db);
  if (outcome === 'garbage') {
    replaceGarbageLock(file);
    db = openLockFile(userDataDir, file);
    outcome = lockOrWhy(db);
  }
  if (outcome === 'busy') throw new ProfileLockedError(userDataDir, readHolderPid(holderFile));
  if (outcome === 'garbage') throw new Error(`cannot take the profile lock: ${file} is still not a lock file after it was replaced; remove it and launch again`);
  try {
    fs.writeFileSync(holderFile, `${process.pid}\n`);
  } catch {
    // Best effort: the lock holds without it; a refused launch just cannot name our pid.
  }
  held.add(db);
  const fileId = inodeOf(file);
  return {
    file,
    fileId,
    get held(): boolean {
      return held.has(db);
    },
    release(): void {
      if (!held.delete(db)) return;
      // Remove our pid first: once the lock is gone another instance may write its own.
      if (readHolderPid(holderFile) === process.pid) fs.rmSync(holderFile, { force: true });
      db.close();
    },
  };
}
