// Decides, before any writable connection touches it, whether launcher-sagas.db is damaged.
// Everything here reads through a read-only connection: a damaged file must reach the
// move-aside step with exactly the bytes it had, and a writable open could checkpoint a WAL
// into it or rewrite its header.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { toSagaLogError } from '../saga/log/errors';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const HEADER_BYTES = 100;

/**
 * Files up to this size get a full `PRAGMA quick_check` (about 1 ms per MB here, so ~20 ms at
 * the cap; retention keeps a default profile well below it). Larger logs only get the pages
 * launch-time recovery reads checked, so boot stays fast on a million-saga log; damage
 * elsewhere in such a file surfaces as a corrupt error on the read that meets it.
 */
export const QUICK_CHECK_MAX_BYTES = 16 * 1024 * 1024;

export interface LogCheckOptions {
  busyTimeoutMs: number;
  quickCheckMaxBytes?: number;
}

/** Why the file cannot be used as a saga log, or null when it looks sound. */
export type Damage = string | null;

function headerDamage(file: string, size: number): Damage {
  const header = Buffer.alloc(HEADER_BYTES);
  const fd = fs.openSync(file, 'r');
  let read: number;
  try {
    read = fs.readSync(fd, header, 0, HEADER_BYTES, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (read < SQLITE_MAGIC.length || !header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    return 'not an SQLite database (its header is not an SQLite header)';
  }
  if (read < HEADER_BYTES) return `truncated: only ${size} bytes, shorter than an SQLite header`;
  const raw = header.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return `corrupt header: invalid page size ${raw}`;
  if (size % pageSize !== 0) return `truncated: ${size} bytes is not a whole number of ${pageSize}-byte pages`;
  // The in-header page count is only trustworthy when the version-valid-for field matches.
  const pages = header.readUInt32BE(28);
  const valid = header.readUInt32BE(24) === header.readUInt32BE(92);
  if (valid && pages > 0 && pages * pageSize > size) {
    return `truncated: the header records ${pages} pages but the file holds ${size / pageSize}`;
  }
  return null;
}

/**
 * Reads what launch-time recovery reads (and the index pages its update rewrites), so damage
 * there is found before a write. Pages recovery only writes (the report's unique index, free
 * pages) are not covered: boot sets the file aside if recovery meets damage there.
 */
function checkRecoveryPages(db: Database.Database): void {
  const names = new Set(
    (db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'index')`).all() as { name: string }[]).map((t) => t.name),
  );
  if (!names.has('launcher_saga') || !names.has('launcher_saga_step')) return;
  db.prepare(
    `SELECT st.* FROM launcher_saga s LEFT JOIN launcher_saga_step st ON st.saga_id = s.saga_id
     WHERE s.state IN ('running', 'compensating')`,
  ).all();
  db.prepare(`SELECT MAX(saga_id) FROM launcher_saga`).get();
  // Recovery's UPDATE rewrites these index entries too; the planner reads the other state index above.
  if (names.has('idx_launcher_saga_state_ended')) {
    db.prepare(
      `SELECT COUNT(*) FROM launcher_saga INDEXED BY idx_launcher_saga_state_ended WHERE state IN ('running', 'compensating', 'failed_compensation')`,
    ).get();
  }
  if (names.has('launcher_saga_meta')) db.prepare(`SELECT * FROM launcher_saga_meta`).all();
  if (names.has('launcher_recovery_report')) {
    db.prepare(`SELECT * FROM launcher_recovery_report ORDER BY report_id DESC LIMIT 5`).all();
  }
}

function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

/**
 * Returns what is wrong with an existing, non-empty log file, or null when it is sound.
 * Errors that are not damage (locked by another process, permission, I/O) are thrown as
 * SagaLogError: such a file is somebody's live data, never something to move aside.
 */
export function findDamage(file: string, options: LogCheckOptions): Damage {
  const size = fs.statSync(file).size;
  const fromHeader = headerDamage(file, size);
  if (fromHeader !== null) return fromHeader;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: options.busyTimeoutMs });
    if (size <= (options.quickCheckMaxBytes ?? QUICK_CHECK_MAX_BYTES)) {
      const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
      const problems = rows.map((r) => r.quick_check).filter((m) => m !== 'ok');
      if (problems.length > 0) return `corrupt pages (quick_check: ${problems.join('; ')})`;
    }
    checkRecoveryPages(db);
    return null;
  } catch (err) {
    if (isCorruption(err)) return `corrupt pages (${(err as Error).message})`;
    throw toSagaLogError(err, 'checking the saga log', file);
  } finally {
    db?.close();
  }
}
