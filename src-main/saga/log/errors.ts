// One error type for everything the log refuses, with a code a caller can branch on
// and a message an operator can act on.

export type SagaLogErrorCode =
  | 'newer_schema' // file written by a newer build: read-only here
  | 'foreign' // SQLite, but not a launcher saga log
  | 'schema_conflict' // a launcher saga log this build cannot upgrade (a table or column of another shape)
  | 'corrupt' // not SQLite, truncated, or damaged pages
  | 'missing' // file does not exist and the caller asked not to create it
  | 'read_only' // the file or its folder cannot be written
  | 'disk_full'
  | 'busy' // locked by another process past the busy timeout
  | 'duplicate' // an id or step index already taken
  | 'not_found' // saga or step does not exist
  | 'invalid_transition' // e.g. finishing a step that is not pending
  | 'io';

export class SagaLogError extends Error {
  override readonly name = 'SagaLogError';
  constructor(
    readonly code: SagaLogErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface SqliteLikeError {
  code?: unknown;
  message?: unknown;
}

/** Translate a better-sqlite3 error into a SagaLogError that says which failure it was. */
export function toSagaLogError(err: unknown, doing: string, file: string): SagaLogError {
  if (err instanceof SagaLogError) return err;
  const e = (err ?? {}) as SqliteLikeError;
  const code = typeof e.code === 'string' ? e.code : '';
  const detail = typeof e.message === 'string' ? e.message : String(err);
  const at = `${doing} in ${file}`;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new SagaLogError('corrupt', `${at} failed: the file is not a readable SQLite database (${detail})`, { cause: err });
  }
  if (code === 'SQLITE_FULL') {
    return new SagaLogError('disk_full', `${at} failed: the disk or the log's size limit is full (${detail}); nothing was written`, { cause: err });
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    return new SagaLogError('read_only', `${at} failed: the file or its folder is read-only (${detail}); nothing was written`, { cause: err });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new SagaLogError('busy', `${at} failed: the file is locked by another process (${detail}); nothing was written`, { cause: err });
  }
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
    return new SagaLogError('duplicate', `${at} failed: the id is already taken (${detail})`, { cause: err });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new SagaLogError('not_found', `${at} failed: the saga does not exist (${detail})`, { cause: err });
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new SagaLogError('io', `${at} failed: the file cannot be opened (${detail})`, { cause: err });
  }
  return new SagaLogError('io', `${at} failed: ${detail}`, { cause: err });
}
