// The user-data folder, checked before anything is created in it, so a wrong path gets one
// sentence naming it, the cause and what to do, instead of a raw EEXIST or EISDIR, or a
// mkdir that spins on a kernel pseudo-filesystem.
import fs from 'node:fs';
import path from 'node:path';
import { LOG_FILE_NAME } from '../saga/log/saga-log';
import { LOCK_FILE_NAME } from './profile-lock';

export class ProfileDirError extends Error {
  override readonly name = 'ProfileDirError';
  constructor(
    readonly userDataDir: string,
    why: string,
  ) {
    super(`cannot use ${userDataDir} as the user-data dir: ${why}; nothing was changed`);
  }
}

/** Kernel pseudo-filesystems: nothing the app writes can live there (and mkdir under /proc can spin). */
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

/** Files the profile holds; a folder in their place is a mistake to report, not to open. */
const profileFiles = (): string[] => [LOG_FILE_NAME, `${LOG_FILE_NAME}-wal`, `${LOG_FILE_NAME}-shm`, `${LOG_FILE_NAME}-journal`, LOCK_FILE_NAME];

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ENOTDIR') return null;
    throw err;
  }
}

function underPseudoFs(p: string): string | null {
  if (process.platform !== 'linux') return null;
  return PSEUDO_ROOTS.find((root) => p === root || p.startsWith(`${root}/`)) ?? null;
}

/**
 * Creates the user-data dir if needed and checks it can hold a profile; throws ProfileDirError
 * saying what is wrong and what to do. Returns the absolute path.
 */
export function ensureProfileDir(userDataDir: string): string {
  const dir = path.resolve(userDataDir);
  // The nearest part of the path that exists, resolved through symlinks: that is where mkdir would start.
  let existing = dir;
  while (statOrNull(existing) === null && path.dirname(existing) !== existing) existing = path.dirname(existing);
  const real = fs.realpathSync(existing);
  const pseudo = underPseudoFs(dir) ?? underPseudoFs(real);
  if (pseudo !== null) {
    throw new ProfileDirError(dir, `it is under ${pseudo}, a kernel pseudo-filesystem where no file can be stored; choose a folder on a disk`);
  }
  const st = statOrNull(existing);
  if (st && !st.isDirectory()) {
    const what = existing === dir ? 'it is a file, not a folder' : `${existing} is a file, not a folder`;
    throw new ProfileDirError(dir, `${what}; choose a folder path (a new one is created)`);
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === 'EACCES' || e.code === 'EPERM'
        ? `the folder ${path.dirname(dir)} does not let this user create it`
        : e.code === 'EROFS'
          ? 'it is on a read-only filesystem'
          : e.code === 'ENOSPC'
            ? 'the disk is full'
            : `creating it failed (${e.message})`;
    throw new ProfileDirError(dir, `${why}; choose another folder or fix its permissions`);
  }
  for (const name of profileFiles()) {
    const p = path.join(dir, name);
    if (statOrNull(p)?.isDirectory()) {
      throw new ProfileDirError(dir, `${p} is a folder where the app keeps a file; move it out of the way (the app never deletes it)`);
    }
  }
  return dir;
}
