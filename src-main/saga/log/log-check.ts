// Decides, before any writable connection touches it, whether launcher-sagas.db is damaged,
// and reads what can still be read of a damaged one. Everything here reads through a
// read-only connection: a damaged file must reach the move-aside step with the bytes the
// crash left, and a writable connection's close would checkpoint its WAL into it.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { toSagaLogError } from './errors';
import { readUnresolvedWith, type UnresolvedSaga } from './saga-log';
import { planSchema } from './schema-plan';
import { LOG_TABLE, SCHEMA_VERSION, V1_TABLES } from './schema';

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

/**
 * Why a file cannot be used as a saga log. The kind decides what can still be read of it: a file
 * that is not SQLite at all has nothing to read; the others may still yield their interrupted sagas.
 */
export type DamageKind = 'not_sqlite' | 'truncated' | 'corrupt_header' | 'corrupt_pages' | 'foreign';
export interface Damage {
  kind: DamageKind;
  /** The words the recovery report and the move-aside reason carry. */
  reason: string;
}

const damage = (kind: DamageKind, reason: string): Damage => ({ kind, reason });

/** What a read-only pass found still readable in a damaged log. */
export type InterruptedRead = { sagas: UnresolvedSaga[] } | { unreadable: string };

function headerDamage(file: string, size: number): Damage | null {
  const header = Buffer.alloc(HEADER_BYTES);
  const fd = fs.openSync(file, 'r');
  let read: number;
  try {
    read = fs.readSync(fd, header, 0, HEADER_BYTES, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (read < SQLITE_MAGIC.length || !header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    return damage('not_sqlite', 'not an SQLite database (its header is not an SQLite header)');
  }
  if (read < HEADER_BYTES) return damage('truncated', `truncated: only ${size} bytes, shorter than an SQLite header`);
  const raw = header.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return damage('corrupt_header', `corrupt header: invalid page size ${raw}`);
  if (size % pageSize !== 0) return damage('truncated', `truncated: ${size} bytes is not a whole number of ${pageSize}-byte pages`);
  // The in-header page count is only trustworthy when the version-valid-for field matches.
  const pages = header.readUInt32BE(28);
  const valid = header.readUInt32BE(24) === header.readUInt32BE(92);
  if (valid && pages > 0 && pages * pageSize > size) {
    return damage('truncated', `truncated: the header records ${pages} pages but the file holds ${size / pageSize}`);
  }
  return null;
}

function names(db: Database.Database): Set<string> {
  const rows = db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'index')`).all() as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

/**
 * Runs recovery's own read (and reads the index pages its update rewrites), so damage there is
 * found before a write. Pages recovery only writes (the report's unique index, free pages) are
 * not covered: boot sets the file aside if recovery meets damage there.
 */
function readRecoveryPages(db: Database.Database, present: Set<string>): void {
  if (!V1_TABLES.every((t) => present.has(t))) return;
  readUnresolvedWith(db);
  db.prepare(`SELECT MAX(saga_id) FROM launcher_saga`).get();
  if (present.has('launcher_saga_meta')) db.prepare(`SELECT * FROM launcher_saga_meta`).all();
  if (present.has('launcher_recovery_report')) {
    db.prepare(`SELECT * FROM launcher_recovery_report ORDER BY report_id DESC LIMIT 5`).all();
  }
}

function isCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

function openReadOnly(file: string, busyTimeoutMs: number): Database.Database {
  return new Database(file, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
}

/**
 * Returns what is wrong with an existing, non-empty log file, or null when it is sound.
 * Errors that are not damage (locked by another process, permission, I/O) are thrown as
 * SagaLogError: such a file is somebody's live data, never something to move aside.
 */
export function findDamage(file: string, options: LogCheckOptions): Damage | null {
  const size = fs.statSync(file).size;
  const fromHeader = headerDamage(file, size);
  if (fromHeader !== null) return fromHeader;
  let db: Database.Database | undefined;
  try {
    db = openReadOnly(file, options.busyTimeoutMs);
    const present = names(db);
    // A file lacking some of this build's schema is migrated by the writable open, whose new indexes
    // read every saga row: damage anywhere must be found first, whatever the size, so no migration meets it.
    const migrates =
      present.has(LOG_TABLE) &&
      (db.pragma('user_version', { simple: true }) as number) <= SCHEMA_VERSION &&
      planSchema(db).statements.length > 0;
    if (migrates || size <= (options.quickCheckMaxBytes ?? QUICK_CHECK_MAX_BYTES)) {
      const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
      const problems = rows.map((r) => r.quick_check).filter((m) => m !== 'ok');
      if (problems.length > 0) return damage('corrupt_pages', `corrupt pages (quick_check: ${problems.join('; ')})`);
    }
    readRecoveryPages(db, present);
    return null;
  } catch (err) {
    if (isCorruption(err)) return damage('corrupt_pages', `corrupt pages (${(err as Error).message})`);
    throw toSagaLogError(err, 'checking the saga log', file);
  } finally {
    db?.close();
  }
}

/**
 * The highest saga id a damaged log had issued (its high-water mark or its largest row), or null
 * when neither can be read. Never throws: it only decides where the fresh log's ids start.
 */
export function readHighestSagaId(file: string, options: Pick<LogCheckOptions, 'busyTimeoutMs'>): number | null {
  let db: Database.Database | undefined;
  try {
    db = openReadOnly(file, options.busyTimeoutMs);
    const found: number[] = [];
    for (const sql of [
      `SELECT MAX(saga_id) FROM launcher_saga`,
      `SELECT value FROM launcher_saga_meta WHERE key = 'saga_id_high_water'`,
    ]) {
      try {
        const v = db.prepare(sql).pluck().get();
        if (typeof v === 'number' && Number.isSafeInteger(v)) found.push(v);
      } catch {
        // A damaged page under one of the two still leaves the other.
      }
    }
    return found.length > 0 ? Math.max(...found) : null;
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/**
 * The sagas a crash left unresolved in a damaged log, read with recovery's own query through a
 * read-only connection; what made them unreadable otherwise. Never throws: the file is being
 * set aside either way, and this only decides what the report can say about it.
 */
export function readInterrupted(file: string, options: Pick<LogCheckOptions, 'busyTimeoutMs'>): InterruptedRead {
  let db: Database.Database | undefined;
  try {
    db = openReadOnly(file, options.busyTimeoutMs);
    if (!V1_TABLES.every((t) => names(db!).has(t))) return { unreadable: 'it holds no launcher saga tables' };
    return { sagas: readUnresolvedWith(db) };
  } catch (err) {
    return { unreadable: err instanceof Error ? err.message : String(err) };
  } finally {
    db?.close();
  }
}
