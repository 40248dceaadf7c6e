// SagaLog owns the connection to launcher-sagas.db and every statement run against it.
// Each state transition is one named transaction; nothing outside this module writes SQL.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import {
  type FailureKind,
  type InFlightStep,
  type ReconciledAnswer,
  type MovedAsideFile,
  type OperatorAction,
  type RecoveredSaga,
  type RecoveryReport,
  type SagaDetail,
  type SagaState,
  type SagaSummary,
  type StepKind,
  type StepRecord,
  type Target,
  type UnreadableRecoveryReport,
  RecoveryReport as RecoveryReportSchema,
} from '../../../src-shared/saga-model';
import { describeZodIssue } from '../../../src-shared/zod-issue';
import { SagaLogError, toSagaLogError } from './errors';
import type { IdReservation } from './id-reservation';
import { WAL_SIZE_LIMIT_PAGES, walSizeLimitPragma } from './wal-size';
import { installReadShadows, migrate, planSchema, SchemaConflict } from './schema-plan';
import { LOG_TABLE, SCHEMA_VERSION } from './schema';
import { readCommittedImage } from './wal-image';

export const LOG_FILE_NAME = 'launcher-sagas.db';

export interface SagaLogOptions {
  /** Open without any write: the file must exist and is never modified (diag, foreign readers). */
  readonly?: boolean;
  busyTimeoutMs?: number;
  /** Caps the file size in pages; a write past it fails with disk_full. */
  maxPageCount?: number;
  /** The -wal is cut back to this many pages when the WAL starts over (WAL_SIZE_LIMIT_PAGES by default; see wal-size.ts). */
  walSizeLimitPages?: number;
  clock?: () => Date;
  /** Ids reserved outside the file (see id-reservation.ts): each new id is reserved before it is issued. */
  idReservation?: IdReservation;
}

export interface StartSagaInput {
  name: string;
  inputJson: string;
  plannedSteps?: number | null;
  bootId?: string | null;
  /** Only for importing or testing: a caller-chosen id. A taken id is an error, never an overwrite. */
  sagaId?: number;
  /** Step 0's pending row, committed with the saga row: one commit instead of two. */
  firstStep?: NextStepInput;
}

export interface StartStepInput {
  sagaId: number;
  stepIndex: number;
  name: string;
  target: Target;
  kind?: StepKind | null;
  cmdJson: string;
  idempotencyKey?: string | null;
  peerGeneration?: number | null;
}

/** A step's pending row written together with another transition of the same saga. */
export type NextStepInput = Omit<StartStepInput, 'sagaId' | 'stepIndex'>;

export interface AppendCompensationInput {
  sagaId: number;
  compensatesIndex: number;
  name: string;
  target: Target;
  cmdJson: string;
  peerGeneration?: number | null;
}

/** A step recovery left in flight whose peer has not yet said (or could not say) what became of it. */
export interface StepToReconcile {
  sagaId: number;
  sagaName: string;
  stepIndex: number;
  stepName: string;
  target: Target | null;
  /** The op of its command, as logged (null when the row has no readable command). */
  op: string | null;
  startedAt: string;
  peerGeneration: number | null;
  /** What an earlier launch's reconciliation said, if anything (only `unknown` is asked again). */
  previous: { answer: ReconciledAnswer; why: string } | null;
}

export interface ReconciledStep {
  sagaId: number;
  stepIndex: number;
  answer: ReconciledAnswer;
  why: string;
  source: string;
  /** An applied step's output from its peer's receipt (redacted), kept on the still-pending row; else null. */
  outputJson: string | null;
  /** Appended to the saga's failure reason: what reconciliation learned, in one sentence. */
  sentence: string;
}

export interface UnresolvedSaga {
  sagaId: number;
  name: string;
  state: SagaState;
  startedAt: string;
  inputJson: string;
  failureReason: string | null;
  /** Forward steps the definition declared; null when not recorded. */
  plannedSteps: number | null;
  steps: StepRecord[];
}

export interface RecentQuery {
  limit: number;
  state?: SagaState | undefined;
  name?: string | undefined;
  /** Cursor: only sagas with a smaller id (the last id of the previous page). */
  beforeId?: number | undefined;
  hideReviewed?: boolean | undefined;
}

/** The panel's search: every filter optional, paged by id in either direction. */
export interface SearchQuery {
  limit: number;
  state?: SagaState | undefined;
  /** Any of these exact names; an empty list matches nothing. */
  names?: readonly string[] | undefined;
  hideReviewed?: boolean | undefined;
  /** Older page: ids below this. */
  beforeId?: number | undefined;
  /** Newer page: ids above this (the rows nearest to it, still returned newest first). */
  afterId?: number | undefined;
  /** Inclusive id bounds, e.g. from a time range (see idStartedAtOrAfter). */
  minId?: number | undefined;
  maxId?: number | undefined;
  /** Only the sagas the recovery of this boot marked. */
  recoveredBy?: string | undefined;
  /** Text the saga's input contains (case-insensitive for ASCII); scans at most `inputScanRows` rows. */
  inputContains?: string | undefined;
  /** Only sagas whose failure was of this kind (no index serves it: bounded like an input search). */
  failureKind?: FailureKind | undefined;
  inputScanRows?: number | undefined;
}

export interface SearchResult {
  rows: SagaSummary[];
  /**
   * For an input search that stopped at its scan bound before filling the page: the last id it
   * looked at (the search continues past it), else null.
   */
  scanEdgeId: number | null;
}

export interface PruneQuery {
  /** Finished sagas that ended before this instant go. */
  endedBefore: Date;
  /** Finished sagas with an id at or below this go too (see `idBeyondNewest`); 0 for none. */
  upToId: number;
  batchSize: number;
  /** The walk's cursor: only ids above this (0: from the start). */
  afterId?: number;
  /** The walk stops at this id, so one call walks a bounded stretch of kept rows (default: to the end). */
  throughId?: number;
}

export interface PruneResult {
  deleted: number;
  /** Every id up to this one has been walked: the next call continues above it. */
  walkedThrough: number;
}

export interface RecoveryPlanInput {
  bootId: string;
  movedAside: MovedAsideFile[];
  /** Decides, inside the recovery transaction, what each unresolved saga is marked with. */
  plan: (unresolved: UnresolvedSaga[]) => RecoveredSaga[];
}

/** A launch recorded as owning the log while it runs (rows in launcher_saga_meta, see boot-owner.ts). */
export interface BootOwner {
  bootId: string;
  pid: number;
  /** The process's kernel start time (Linux), so a reused pid is told apart; null elsewhere. */
  startTicks: number | null;
  /** The inode of the launcher.lock file the launch held, or null when unknown. */
  lockFileId: number | null;
}

const OWNER_KEY = { pid: 'boot_owner_pid:', startTicks: 'boot_owner_start:', lockFileId: 'boot_owner_lock:' } as const;

function ownersFromRows(rows: readonly { key: string; value: number }[]): BootOwner[] {
  const byBoot = new Map<string, BootOwner>();
  const entry = (bootId: string): BootOwner => {
    let o = byBoot.get(bootId);
    if (!o) byBoot.set(bootId, (o = { bootId, pid: 0, startTicks: null, lockFileId: null }));
    return o;
  };
  for (const { key, value } of rows) {
    for (const [field, prefix] of Object.entries(OWNER_KEY) as [keyof typeof OWNER_KEY, string][]) {
      if (key.startsWith(prefix) && typeof value === 'number') entry(key.slice(prefix.length))[field] = value;
    }
  }
  // A record without its pid cannot be checked: it names nobody.
  return [...byBoot.values()].filter((o) => o.pid > 0);
}

interface StepRow {
  saga_id: number;
  step_index: number;
  name: string;
  state: StepRecord['state'];
  target: Target | null;
  kind: StepKind | null;
  cmd_json: string | null;
  output_json: string | null;
  failure_reason: string | null;
  failure_kind: FailureKind | null;
  started_at: string;
  ended_at: string | null;
  idempotency_key: string | null;
  peer_generation: number | null;
  compensates_index: number | null;
  reconciled: ReconciledAnswer | null;
  reconciled_why: string | null;
  reconciled_source: string | null;
  reconciled_at: string | null;
}

interface SummaryRow {
  saga_id: number;
  name: string;
  state: SagaState;
  started_at: string;
  ended_at: string | null;
  failure_reason: string | null;
  failure_kind: FailureKind | null;
  boot_id: string | null;
  planned_steps: number | null;
  reviewed_at: string | null;
  reviewed_by: string | null;
  review_note: string | null;
  progressed: number;
  in_flight: string | null;
  last_activity: string | null;
}

const STEP_COLUMNS = `saga_id, step_index, name, state, target, kind, cmd_json, output_json, failure_reason, failure_kind,
  started_at, ended_at, idempotency_key, peer_generation, compensates_index,
  reconciled, reconciled_why, reconciled_source, reconciled_at`;

const SUMMARY_COLUMNS = `s.saga_id, s.name, s.state, s.started_at, s.ended_at, s.failure_reason, s.failure_kind, s.boot_id,
  s.planned_steps, s.reviewed_at, s.reviewed_by, s.review_note,
  (SELECT COUNT(*) FROM launcher_saga_step p
     WHERE p.saga_id = s.saga_id AND p.state IN ('succeeded', 'compensated') AND p.compensates_index IS NULL) AS progressed,
  (SELECT json_object('stepIndex', p.step_index, 'name', p.name, 'target', p.target, 'peerGeneration', p.peer_generation)
     FROM launcher_saga_step p WHERE p.saga_id = s.saga_id AND p.state = 'pending'
     ORDER BY p.step_index DESC LIMIT 1) AS in_flight,
  (SELECT MAX(COALESCE(p.ended_at, p.started_at)) FROM launcher_saga_step p WHERE p.saga_id = s.saga_id) AS last_activity`;

const NO_CURSOR = Number.MAX_SAFE_INTEGER;

function stepFromRow(r: StepRow): StepRecord {
  return {
    sagaId: r.saga_id,
    stepIndex: r.step_index,
    name: r.name,
    state: r.state,
    target: r.target,
    kind: r.kind,
    cmdJson: r.cmd_json,
    outputJson: r.output_json,
    failureReason: r.failure_reason,
    failureKind: r.failure_kind ?? null,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    idempotencyKey: r.idempotency_key,
    peerGeneration: r.peer_generation,
    compensatesIndex: r.compensates_index,
    reconciliation:
      r.reconciled == null
        ? null
        : { answer: r.reconciled, why: r.reconciled_why ?? '', source: r.reconciled_source ?? '', at: r.reconciled_at ?? '' },
  };
}

function summaryFromRow(r: SummaryRow): SagaSummary {
  return {
    sagaId: r.saga_id,
    name: r.name,
    state: r.state,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    failureReason: r.failure_reason,
    failureKind: r.failure_kind ?? null,
    bootId: r.boot_id,
    plannedSteps: r.planned_steps,
    progressedSteps: r.progressed,
    inFlightStep: r.in_flight === null ? null : (JSON.parse(r.in_flight) as InFlightStep),
    lastActivityAt: r.last_activity,
    review:
      r.reviewed_at === null
        ? null
        : { reviewedAt: r.reviewed_at, reviewedBy: r.reviewed_by ?? '', note: r.review_note ?? '' },
  };
}

// One row per step of each unresolved saga (one row with null step columns for a saga without steps).
// A file of version 1 has no planned_steps: the damage check reads such files too, without it.
const unresolvedSql = (withPlanned: boolean) => `SELECT s.saga_id AS s_id, s.name AS s_name, s.state AS s_state, s.started_at AS s_started_at,
         s.input_json AS s_input_json, s.failure_reason AS s_failure_reason,
         ${withPlanned ? 's.planned_steps' : 'NULL'} AS s_planned_steps, st.*
  FROM launcher_saga s LEFT JOIN launcher_saga_step st ON st.saga_id = s.saga_id
  WHERE s.state IN ('running', 'compensating')
  ORDER BY s.saga_id, st.step_index`;

type UnresolvedRow = StepRow & {
  s_id: number;
  s_name: string;
  s_state: SagaState;
  s_started_at: string;
  s_input_json: string;
  s_failure_reason: string | null;
  s_planned_steps: number | null;
};

function groupUnresolved(rows: Iterable<UnresolvedRow>): UnresolvedSaga[] {
  const out: UnresolvedSaga[] = [];
  for (const row of rows) {
    let last = out[out.length - 1];
    if (last?.sagaId !== row.s_id) {
      last = {
        sagaId: row.s_id,
        name: row.s_name,
        state: row.s_state,
        startedAt: row.s_started_at,
        inputJson: row.s_input_json,
        failureReason: row.s_failure_reason,
        plannedSteps: row.s_planned_steps,
        steps: [],
      };
      out.push(last);
    }
    if (row.step_index !== null) last.steps.push(stepFromRow(row));
  }
  return out;
}

/** Columns later schema versions added to steps; a file written before them reads them as null. */
const STEP_COLUMNS_SINCE_V1 = {
  kind: null,
  idempotency_key: null,
  peer_generation: null,
  compensates_index: null,
  reconciled: null,
  reconciled_why: null,
  reconciled_source: null,
  reconciled_at: null,
};

/**
 * The unresolved sagas, read with recovery's own query through a connection the caller owns:
 * the damage check's read-only one, so a damaged file is read without a writable connection
 * (whose close would checkpoint the WAL into it). Works on every schema version.
 */
export function readUnresolvedWith(db: Database.Database): UnresolvedSaga[] {
  const rows = db.prepare(unresolvedSql(false)).all() as UnresolvedRow[];
  const current = rows.length === 0 || 'kind' in rows[0]!;
  return groupUnresolved(current ? rows : rows.map((row) => ({ ...STEP_COLUMNS_SINCE_V1, ...row })));
}

interface Probe {
  userVersion: number;
  tables: string[];
  /** Why this build cannot upgrade the file (each names a table and column), empty when it can. */
  conflicts: string[];
}

/**
 * An in-memory image of the log, committed WAL frames included, read without changing anything
 * on disk: any SQLite connection to a WAL-mode file, read-only included, would create `-shm` (and
 * rebuild a crash-left one), so the -wal's frames are applied by plain reads (wal-image.ts). The
 * image is writable in memory only, so an older schema can be upgraded for reading.
 */
function memoryImage(file: string): Database.Database {
  const image = readCommittedImage(file);
  // Header bytes 18-19 say "WAL"; an in-memory image cannot have one, so it reads as a rollback file.
  if (image.length >= 20 && image[18] === 2 && image[19] === 2) {
    image[18] = 1;
    image[19] = 1;
  }
  return new Database(image);
}

/** Reads the header and table list without writing a byte; throws `corrupt` for non-SQLite files. */
function probe(file: string, busyTimeoutMs: number, untouched: boolean): Probe {
  let db: Database.Database | undefined;
  try {
    db = untouched
      ? memoryImage(file)
      : new Database(file, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    const userVersion = db.pragma('user_version', { simple: true }) as number;
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map(
      (t) => t.name,
    );
    return { userVersion, tables, conflicts: tables.includes(LOG_TABLE) ? planSchema(db).conflicts : [] };
  } catch (err) {
    throw toSagaLogError(err, 'reading the schema', file);
  } finally {
    db?.close();
  }
}

function conflictError(file: string, conflicts: string): SagaLogError {
  return new SagaLogError(
    'schema_conflict',
    `${file} cannot be upgraded to schema version ${SCHEMA_VERSION}: ${conflicts}; nothing was changed`,
  );
}

export class SagaLog {
  readonly file: string;
  /** The version stamped in the file when it was opened. */
  readonly fileVersion: number;
  readonly buildVersion = SCHEMA_VERSION;
  /** Why this log refuses writes, or null when it accepts them. */
  readonly readOnlyReason: string | null;
  private readonly db: Database.Database;
  private readonly clock: () => Date;
  private readonly idReservation: IdReservation | undefined;
  /** Why this build could not upgrade the file (each names a table and column); a reader still reads it. */
  readonly schemaConflicts: readonly string[];
  private readonly stmts: ReturnType<SagaLog['prepareStatements']>;
  private readonly writeStmts: ReturnType<SagaLog['prepareWriteStatements']> | null;
  private inTransaction: Database.Transaction<(body: () => unknown) => unknown> | null = null;
  private readonly recentStmts = new Map<string, Database.Statement>();
  private withRecovery: (() => void) | null = null;

  static open(file: string, options: SagaLogOptions = {}): SagaLog {
    return new SagaLog(file, options);
  }

  private constructor(file: string, options: SagaLogOptions) {
    this.file = file;
    this.clock = options.clock ?? (() => new Date());
    this.idReservation = options.idReservation;
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    const exists = fs.existsSync(file);
    if (options.readonly && !exists) {
      throw new SagaLogError('missing', `no saga log at ${file}`);
    }
    if (exists && !fs.statSync(file).isFile()) throw new SagaLogError('foreign', `${file} is not a file, so it cannot be a saga log`);
    // A reader also counts a -wal: a log never checkpointed has a 0-byte file and all its pages there.
    const hasContent = exists && (fs.statSync(file).size > 0 || (options.readonly === true && fs.existsSync(`${file}-wal`)));
    const found: Probe = hasContent ? probe(file, busyTimeoutMs, options.readonly === true) : { userVersion: 0, tables: [], conflicts: [] };
    const isLog = found.tables.includes(LOG_TABLE);
    if (!isLog && found.tables.length > 0) {
      // Creating our tables inside somebody else's database would be a write to a file we do not own.
      throw new SagaLogError(
        'foreign',
        `${file} is an SQLite database but not a launcher saga log (it has tables ${found.tables.slice(0, 5).join(', ')})`,
      );
    }
    if (options.readonly && !isLog) {
      throw new SagaLogError('foreign', `${file} holds no launcher saga log (no launcher_saga tables)`);
    }
    this.fileVersion = found.userVersion;
    this.schemaConflicts = found.conflicts;
    const newer = found.userVersion > SCHEMA_VERSION;
    if (!newer && !options.readonly && found.conflicts.length > 0) {
      // Refused before any writable connection exists, so not even the journal mode changes a byte.
      throw conflictError(file, found.conflicts.join('; '));
    }
    this.readOnlyReason = newer
      ? `${file} has schema version ${found.userVersion}, newer than this build's version ${SCHEMA_VERSION}: it is opened read-only and nothing will be written to it`
      : options.readonly
        ? `${file} was opened read-only`
        : null;
    let db: Database.Database | undefined;
    try {
      if (options.readonly) {
        db = memoryImage(file);
        db.pragma('foreign_keys = ON');
      } else if (this.readOnlyReason !== null) {
        db = new Database(file, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
        db.pragma('foreign_keys = ON');
      } else {
        db = new Database(file, { timeout: busyTimeoutMs });
      }
      this.db = db;
      if (this.readOnlyReason === null) {
        this.configureWritable(options, !exists || found.tables.length === 0);
      } else {
        // Whatever the file lacks of this build's schema reads as empty; nothing is written to it.
        installReadShadows(db);
      }
      this.stmts = this.prepareStatements();
      this.writeStmts = this.readOnlyReason === null ? this.prepareWriteStatements() : null;
    } catch (err) {
      // A half-opened connection would keep the file locked for the rest of the process.
      db?.close();
      if (err instanceof SchemaConflict) throw conflictError(file, err.message);
      throw toSagaLogError(err, 'opening the saga log', file);
    }
  }

  private configureWritable(options: SagaLogOptions, fresh: boolean): void {
    // auto_vacuum only takes effect before the first table exists; retention then hands pages back.
    if (fresh) this.db.pragma('auto_vacuum = INCREMENTAL');
    // NORMAL in WAL: a killed process loses nothing committed; only an OS crash may drop the last commits.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('temp_store = MEMORY');
    if (options.maxPageCount !== undefined) this.db.pragma(`max_page_count = ${Math.floor(options.maxPageCount)}`);
    // The migration runs before the switch to WAL, so a migration that fails leaves every byte of
    // a rollback-journal file (the launcher's lineage writes those) as it was.
    migrate(this.db);
    this.db.pragma('journal_mode = WAL');
    // The -wal's bound (wal-size.ts), rather than a TRUNCATE checkpoint that main's commits would sleep behind.
    this.db.pragma(walSizeLimitPragma((options.walSizeLimitPages ?? WAL_SIZE_LIMIT_PAGES) * (this.db.pragma('page_size', { simple: true }) as number)));
    // A first read opens the -wal and -shm now, as the open used to, not at the first statement later.
    this.db.prepare(`SELECT COUNT(*) FROM sqlite_master`).get();
  }

  private prepareStatements() {
    const p = (sql: string) => this.db.prepare(sql);
    return {
      highWater: p(`SELECT value FROM launcher_saga_meta WHERE key = 'saga_id_high_water'`).pluck(),
      maxId: p(`SELECT COALESCE(MAX(saga_id), 0) FROM launcher_saga`).pluck(),
      nextStepIndex: p(`SELECT COALESCE(MAX(step_index), -1) + 1 FROM launcher_saga_step WHERE saga_id = ?`).pluck(),
      stepState: p(`SELECT state, compensates_index FROM launcher_saga_step WHERE saga_id = ? AND step_index = ?`),
      appliedInFlight: p(
        `SELECT step_index, compensates_index, output_json FROM launcher_saga_step WHERE saga_id = ? AND state = 'pending' AND reconciled = 'applied'`,
      ),
      sagaState: p(`SELECT state FROM launcher_saga WHERE saga_id = ?`).pluck(),
      unresolved: p(unresolvedSql(true)),
      summary: p(`SELECT ${SUMMARY_COLUMNS}, s.input_json FROM launcher_saga s WHERE s.saga_id = ?`),
      steps: p(`SELECT ${STEP_COLUMNS} FROM launcher_saga_step WHERE saga_id = ? ORDER BY step_index`),
      stepsOf: p(
        `SELECT ${STEP_COLUMNS} FROM launcher_saga_step
         WHERE saga_id IN (SELECT value FROM json_each(?)) ORDER BY saga_id, step_index`,
      ),
      // Pending rows of failed_compensation sagas are what recovery left in flight; a self step is
      // answered once (main keeps no receipts), a peer step is asked again while it stays unknown.
      toReconcile: p(
        `SELECT st.saga_id, s.name AS saga_name, st.step_index, st.name, st.target, st.started_at, st.peer_generation,
                json_extract(CASE WHEN json_valid(st.cmd_json) THEN st.cmd_json END, '$.op') AS op,
                st.reconciled, st.reconciled_why
         FROM launcher_saga s JOIN launcher_saga_step st ON st.saga_id = s.saga_id
         WHERE s.state = 'failed_compensation' AND st.state = 'pending'
           AND (st.reconciled IS NULL OR (st.reconciled = 'unknown' AND st.target IN ('host', 'srv')))
           AND s.saga_id >= @fromSaga AND (st.saga_id > @fromSaga OR st.step_index > @afterStep)
         ORDER BY st.saga_id, st.step_index LIMIT @limit`,
      ),
      countState: p(`SELECT COUNT(*) FROM launcher_saga WHERE state = ?`).pluck(),
      countUnreviewed: p(
        `SELECT COUNT(*) FROM launcher_saga WHERE state = 'failed_compensation' AND reviewed_at IS NULL`,
      ).pluck(),
      latestReports: p(
        `SELECT report_id, boot_id, started_at, duration_ms, marked_json, moved_aside_json
         FROM launcher_recovery_report ORDER BY report_id DESC LIMIT ?`,
      ),
      owners: p(`SELECT key, value FROM launcher_saga_meta WHERE key GLOB 'boot_owner_*'`),
      reportByBoot: p(
        `SELECT report_id, boot_id, started_at, duration_ms, marked_json, moved_aside_json
         FROM launcher_recovery_report WHERE boot_id = ?`,
      ),
      actions: p(
        `SELECT action, done_by AS doneBy, note, at, outcome FROM launcher_operator_action
         WHERE saga_id = ? ORDER BY action_id`,
      ),
      countCutoffId: p(`SELECT saga_id FROM launcher_saga WHERE saga_id < @below ORDER BY saga_id DESC LIMIT 1 OFFSET @skip`).pluck(),
    };
  }

  /** Prepared only on a writable log: a read-only one may read through views, which take no writes. */
  private prepareWriteStatements() {
    const p = (sql: string) => this.db.prepare(sql);
    return {
      setHighWater: p(
        `INSERT INTO launcher_saga_meta(key, value) VALUES ('saga_id_high_water', @id)
         ON CONFLICT(key) DO UPDATE SET value = MAX(value, excluded.value)`,
      ),
      // Plain INSERT, not OR REPLACE: an id collision must surface instead of overwriting history.
      insertSaga: p(
        `INSERT INTO launcher_saga(saga_id, name, state, started_at, input_json, planned_steps, boot_id)
         VALUES (@sagaId, @name, 'running', @now, @inputJson, @plannedSteps, @bootId)`,
      ),
      insertStep: p(
        `INSERT INTO launcher_saga_step(saga_id, step_index, name, state, cmd_json, target, started_at, kind,
           idempotency_key, peer_generation, compensates_index)
         VALUES (@sagaId, @stepIndex, @name, 'pending', @cmdJson, @target, @now, @kind, @idempotencyKey,
           @peerGeneration, @compensatesIndex)`,
      ),
      finishStep: p(
        `UPDATE launcher_saga_step SET state = 'succeeded', output_json = @outputJson, ended_at = @now
         WHERE saga_id = @sagaId AND step_index = @stepIndex AND state = 'pending'`,
      ),
      failStep: p(
        `UPDATE launcher_saga_step SET state = 'failed', failure_reason = @reason, failure_kind = @kind, ended_at = @now
         WHERE saga_id = @sagaId AND step_index = @stepIndex AND state = 'pending'`,
      ),
      markStepCompensated: p(
        `UPDATE launcher_saga_step SET state = 'compensated'
         WHERE saga_id = @sagaId AND step_index = @stepIndex AND state = 'succeeded'`,
      ),
      markCompensating: p(
        `UPDATE launcher_saga SET state = 'compensating', failure_reason = @reason, failure_kind = @kind
         WHERE saga_id = @sagaId AND state = 'running'`,
      ),
      markFailedCompensation: p(
        `UPDATE launcher_saga SET
           failure_reason = CASE WHEN state = 'failed_compensation' AND failure_reason IS NOT NULL
                                 THEN failure_reason || '; then: ' || @reason ELSE @reason END,
           ended_at = COALESCE(CASE WHEN state = 'failed_compensation' THEN ended_at END, @now),
           failure_kind = COALESCE(failure_kind, @kind),
           state = 'failed_compensation'
         WHERE saga_id = @sagaId AND state IN ('running', 'compensating', 'failed_compensation')`,
      ),
      terminate: p(
        `UPDATE launcher_saga SET state = @state, ended_at = @now, failure_reason = COALESCE(@reason, failure_reason),
           failure_kind = COALESCE(@kind, failure_kind)
         WHERE saga_id = @sagaId AND state IN ('running', 'compensating')`,
      ),
      reconcileStep: p(
        // The row stays pending (recovery's record of what was in flight); an applied step's output
        // from its receipt goes beside it so "compensate now" can build the undo.
        `UPDATE launcher_saga_step SET reconciled = @answer, reconciled_why = @why, reconciled_source = @source, reconciled_at = @now,
           output_json = COALESCE(@outputJson, output_json)
         WHERE saga_id = @sagaId AND step_index = @stepIndex AND state = 'pending'`,
      ),
      // Appends, as markFailedCompensation does: the reason keeps what recovery said first.
      appendReason: p(
        `UPDATE launcher_saga SET failure_reason = CASE WHEN failure_reason IS NULL THEN @sentence
                                                        ELSE failure_reason || '; ' || @sentence END
         WHERE saga_id = @sagaId AND state = 'failed_compensation'`,
      ),
      review: p(
        `UPDATE launcher_saga SET reviewed_at = @now, reviewed_by = @by, review_note = @note
         WHERE saga_id = @sagaId AND state = 'failed_compensation' AND reviewed_at IS NULL`,
      ),
      beginOperatorCompensation: p(
        `UPDATE launcher_saga SET state = 'compensating', ended_at = NULL,
           reviewed_at = NULL, reviewed_by = NULL, review_note = NULL
         WHERE saga_id = @sagaId AND state = 'failed_compensation'`,
      ),
      resolve: p(
        `UPDATE launcher_saga SET state = @state, failure_reason = @reason
         WHERE saga_id = @sagaId AND state = 'failed_compensation'`,
      ),
      insertAction: p(
        `INSERT INTO launcher_operator_action(saga_id, action, done_by, note, at, outcome)
         VALUES (@sagaId, @action, @by, @note, @now, @outcome)`,
      ),
      setActionOutcome: p(`UPDATE launcher_operator_action SET outcome = @outcome WHERE action_id = @actionId`),
      insertReport: p(
        `INSERT INTO launcher_recovery_report(boot_id, started_at, duration_ms, marked_json, moved_aside_json)
         VALUES (@bootId, @startedAt, @durationMs, @markedJson, @movedAsideJson)`,
      ),
      clearOwners: p(`DELETE FROM launcher_saga_meta WHERE key GLOB 'boot_owner_*'`),
      insertMeta: p(`INSERT INTO launcher_saga_meta(key, value) VALUES (?, ?)`),
      prune: p(
        `DELETE FROM launcher_saga WHERE saga_id IN (
           -- NOT INDEXED: walk the rowid oldest first from the cursor and stop at the batch; the
           -- planner would otherwise union the state indexes and sort every candidate, in every batch.
           SELECT saga_id FROM launcher_saga NOT INDEXED
           WHERE saga_id > @after AND saga_id <= @through
             AND (state IN ('completed', 'failed') OR (state = 'failed_compensation' AND reviewed_at IS NOT NULL))
             AND (ended_at < @cutoff OR saga_id <= @countCutoffId)
           ORDER BY saga_id LIMIT @batch)
         RETURNING saga_id`,
      ).pluck(),
    };
  }

  /** The write statements; `write()` has refused a read-only log before any caller gets here. */
  private get w(): NonNullable<SagaLog['writeStmts']> {
    if (this.writeStmts === null) throw new SagaLogError('read_only', `cannot write: ${this.readOnlyReason}`);
    return this.writeStmts;
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  get writable(): boolean {
    return this.readOnlyReason === null;
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /**
   * Runs one named transition as one transaction; any failure leaves the file as it was.
   * A transition that is a single statement runs in SQLite's own autocommit transaction:
   * the explicit BEGIN/COMMIT pair would cost a third of a step's write time and add nothing.
   * `doing` may be a function: a step's wording is built only when an error needs it.
   */
  private write<T>(doing: string | (() => string), fn: () => T, shape: 'statements' | 'single' = 'statements'): T {
    if (this.readOnlyReason !== null) {
      throw new SagaLogError(
        this.fileVersion > SCHEMA_VERSION ? 'newer_schema' : 'read_only',
        `cannot ${typeof doing === 'string' ? doing : doing()}: ${this.readOnlyReason}`,
      );
    }
    try {
      if (shape === 'single') return fn();
      // One transaction wrapper for every transition: building one per call costs more than the work.
      this.inTransaction ??= this.db.transaction((body: () => unknown) => body());
      return this.inTransaction.immediate(fn) as T;
    } catch (err) {
      throw toSagaLogError(err, typeof doing === 'string' ? doing : doing(), this.file);
    }
  }

  private read<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw toSagaLogError(err, doing, this.file);
    }
  }

  /** The highest id ever issued, including ids of sagas since pruned. */
  maxSagaId(): number {
    return this.read('reading the highest saga id', () => {
      const maxId = this.stmts.maxId.get() as number;
      const hw = (this.stmts.highWater.get() as number | undefined) ?? 0;
      return Math.max(maxId, hw);
    });
  }

  startSaga(input: StartSagaInput): number {
    return this.write(() => `start saga '${input.name}'`, () => {
      const highest = this.maxSagaId();
      // A caller-chosen id at or below the high-water mark may belong to a pruned saga: refuse it.
      if (input.sagaId !== undefined && input.sagaId <= highest) {
        throw new SagaLogError('duplicate', `saga id ${input.sagaId} was already issued (the highest so far is ${highest}); ids are never reused`);
      }
      const sagaId = input.sagaId ?? highest + 1;
      // Reserved outside the file first: if this file is lost, the next log still starts above it.
      this.idReservation?.ensure(sagaId);
      // One time per commit: step 0 starts when its saga does.
      const now = this.now();
      this.w.insertSaga.run({
        sagaId,
        name: input.name,
        now,
        inputJson: input.inputJson,
        plannedSteps: input.plannedSteps ?? null,
        bootId: input.bootId ?? null,
      });
      this.w.setHighWater.run({ id: sagaId });
      if (input.firstStep) this.insertPending(sagaId, 0, input.firstStep, now);
      return sagaId;
    });
  }

  /** Ids continue above `sagaId`: after a damaged log was set aside, its ids are never issued again. */
  raiseIdFloor(sagaId: number): void {
    this.write('raise the saga id high-water mark', () => void this.w.setHighWater.run({ id: sagaId }), 'single');
  }

  /** The write-ahead record: committed before the step is dispatched. */
  startStep(input: StartStepInput): void {
    this.write(() => `record step ${input.stepIndex} '${input.name}' of saga ${input.sagaId} as pending`, () => {
      this.insertPending(input.sagaId, input.stepIndex, input, this.now());
    }, 'single');
  }

  private insertPending(sagaId: number, stepIndex: number, step: NextStepInput, now: string): void {
    this.w.insertStep.run({
      sagaId,
      stepIndex,
      name: step.name,
      cmdJson: step.cmdJson,
      target: step.target,
      now,
      kind: step.kind ?? null,
      idempotencyKey: step.idempotencyKey ?? null,
      peerGeneration: step.peerGeneration ?? null,
      compensatesIndex: null,
    });
  }

  finishStep(sagaId: number, stepIndex: number, outputJson: string | null): void {
    this.write(() => `record step ${stepIndex} of saga ${sagaId} as succeeded`, () => this.markSucceeded(sagaId, stepIndex, outputJson, this.now()), 'single');
  }

  private markSucceeded(sagaId: number, stepIndex: number, outputJson: string | null, now: string): void {
    const r = this.w.finishStep.run({ sagaId, stepIndex, outputJson, now });
    if (r.changes !== 1) this.refuseStepTransition(sagaId, stepIndex, 'succeeded');
  }

  /**
   * The steady state of a saga, one commit per step: step `stepIndex` succeeded and step
   * `stepIndex + 1` is pending, together. Write-ahead still holds: the caller sends the next step
   * only after this commits. A failure leaves both as they were (the step still pending).
   */
  finishStepAndStartNext(sagaId: number, stepIndex: number, outputJson: string | null, next: NextStepInput): void {
    this.write(() => `record step ${stepIndex} of saga ${sagaId} as succeeded and step ${stepIndex + 1} '${next.name}' as pending`, () => {
      // One time per commit: step i ends when step i+1 starts, as the log's readers see it.
      const now = this.now();
      this.markSucceeded(sagaId, stepIndex, outputJson, now);
      this.insertPending(sagaId, stepIndex + 1, next, now);
    });
  }

  /** The last forward step succeeded and the saga is completed, in one commit. */
  finishLastStep(sagaId: number, stepIndex: number, outputJson: string | null): void {
    this.write(() => `record step ${stepIndex} of saga ${sagaId} as succeeded and the saga as completed`, () => {
      const now = this.now();
      this.markSucceeded(sagaId, stepIndex, outputJson, now);
      const r = this.w.terminate.run({ sagaId, state: 'completed', reason: null, kind: null, now });
      if (r.changes !== 1) this.refuseSagaTransition(sagaId, 'completed');
    });
  }

  failStep(sagaId: number, stepIndex: number, reason: string, kind: FailureKind | null = null): void {
    this.write(`record step ${stepIndex} of saga ${sagaId} as failed`, () => {
      const r = this.w.failStep.run({ sagaId, stepIndex, reason, kind, now: this.now() });
      if (r.changes !== 1) this.refuseStepTransition(sagaId, stepIndex, 'failed');
    }, 'single');
  }

  private refuseStepTransition(sagaId: number, stepIndex: number, to: string): never {
    const row = this.stmts.stepState.get(sagaId, stepIndex) as { state: string } | undefined;
    if (!row) throw new SagaLogError('not_found', `saga ${sagaId} has no step ${stepIndex}`);
    throw new SagaLogError('invalid_transition', `step ${stepIndex} of saga ${sagaId} is ${row.state}, not pending; cannot mark it ${to}`);
  }

  /**
   * Records a compensation as a new pending row at the next free index, before it is dispatched,
   * so a crash mid-compensation still names the undo that was in flight. Returns its index.
   */
  appendCompensation(input: AppendCompensationInput): number {
    return this.write(`record the compensation of step ${input.compensatesIndex} of saga ${input.sagaId}`, () => {
      const original = this.stmts.stepState.get(input.sagaId, input.compensatesIndex) as
        | { state: string; compensates_index: number | null }
        | undefined;
      if (!original) throw new SagaLogError('not_found', `saga ${input.sagaId} has no step ${input.compensatesIndex} to compensate`);
      if (original.state !== 'succeeded' || original.compensates_index !== null) {
        throw new SagaLogError(
          'invalid_transition',
          `step ${input.compensatesIndex} of saga ${input.sagaId} is ${original.state}; only a succeeded forward step can be compensated`,
        );
      }
      const stepIndex = this.stmts.nextStepIndex.get(input.sagaId) as number;
      this.w.insertStep.run({
        sagaId: input.sagaId,
        stepIndex,
        name: input.name,
        cmdJson: input.cmdJson,
        target: input.target,
        now: this.now(),
        kind: null,
        idempotencyKey: null,
        peerGeneration: input.peerGeneration ?? null,
        compensatesIndex: input.compensatesIndex,
      });
      return stepIndex;
    });
  }

  /** The compensation row succeeded and its original step is marked compensated, together. */
  finishCompensation(sagaId: number, compensationIndex: number, outputJson: string | null): void {
    this.write(`record compensation step ${compensationIndex} of saga ${sagaId} as done`, () => {
      const row = this.stmts.stepState.get(sagaId, compensationIndex) as
        | { state: string; compensates_index: number | null }
        | undefined;
      if (!row || row.compensates_index === null) {
        throw new SagaLogError('not_found', `saga ${sagaId} has no compensation step ${compensationIndex}`);
      }
      const r = this.w.finishStep.run({ sagaId, stepIndex: compensationIndex, outputJson, now: this.now() });
      if (r.changes !== 1) this.refuseStepTransition(sagaId, compensationIndex, 'succeeded');
      const marked = this.w.markStepCompensated.run({ sagaId, stepIndex: row.compensates_index });
      if (marked.changes !== 1) {
        throw new SagaLogError('invalid_transition', `step ${row.compensates_index} of saga ${sagaId} is no longer succeeded; its compensation cannot be recorded`);
      }
    });
  }

  markCompensating(sagaId: number, reason: string, kind: FailureKind | null = null): void {
    this.write(`mark saga ${sagaId} compensating`, () => {
      const r = this.w.markCompensating.run({ sagaId, reason, kind });
      if (r.changes !== 1) this.refuseSagaTransition(sagaId, 'compensating');
    }, 'single');
  }

  /** Idempotent: a second call keeps the first reason and appends the new one. */
  markFailedCompensation(sagaId: number, reason: string, kind: FailureKind | null = null): void {
    this.write(`mark saga ${sagaId} failed_compensation`, () => {
      const r = this.w.markFailedCompensation.run({ sagaId, reason, kind, now: this.now() });
      if (r.changes !== 1) this.refuseSagaTransition(sagaId, 'failed_compensation');
    }, 'single');
  }

  terminate(sagaId: number, state: 'completed' | 'failed', reason: string | null = null, kind: FailureKind | null = null): void {
    this.write(`mark saga ${sagaId} ${state}`, () => {
      const r = this.w.terminate.run({ sagaId, state, reason, kind, now: this.now() });
      if (r.changes !== 1) this.refuseSagaTransition(sagaId, state);
    }, 'single');
  }

  private refuseSagaTransition(sagaId: number, to: string): never {
    const state = this.stmts.sagaState.get(sagaId) as string | undefined;
    if (state === undefined) throw new SagaLogError('not_found', `no saga ${sagaId}`);
    throw new SagaLogError('invalid_transition', `saga ${sagaId} is ${state}; cannot mark it ${to}`);
  }

  /** Sagas a crash can have interrupted, each with all its steps in index order: one query. */
  unresolved(): UnresolvedSaga[] {
    return this.read('reading unresolved sagas', () => this.readUnresolved());
  }

  private readUnresolved(): UnresolvedSaga[] {
    return groupUnresolved(this.stmts.unresolved.iterate() as IterableIterator<UnresolvedRow>);
  }

  /** Newest first, served by the primary key or the state/name index: one query, no sort. */
  recent(q: RecentQuery): SagaSummary[] {
    return this.read('reading recent sagas', () => {
      const where = ['s.saga_id < @beforeId'];
      if (q.state !== undefined) where.push('s.state = @state');
      if (q.name !== undefined) where.push('s.name = @name');
      if (q.hideReviewed) where.push('s.reviewed_at IS NULL');
      const key = where.join(' AND ');
      let stmt = this.recentStmts.get(key);
      if (!stmt) {
        stmt = this.db.prepare(
          `SELECT ${SUMMARY_COLUMNS} FROM launcher_saga s WHERE ${key} ORDER BY s.saga_id DESC LIMIT @limit`,
        );
        this.recentStmts.set(key, stmt);
      }
      const rows = stmt.all({
        beforeId: q.beforeId ?? NO_CURSOR,
        state: q.state,
        name: q.name,
        limit: q.limit,
      }) as SummaryRow[];
      return rows.map(summaryFromRow);
    });
  }

  /**
   * The panel's search. Ids come first (one index range per exact name, merged, so a rare name
   * never walks the whole table and a common one never sorts), then the summaries of one page.
   */
  search(q: SearchQuery): SearchResult {
    return this.read('searching sagas', () => {
      const newer = q.afterId !== undefined;
      let lo = Math.max(q.minId ?? 1, (q.afterId ?? 0) + 1);
      let hi = Math.min(q.maxId ?? NO_CURSOR, (q.beforeId ?? NO_CURSOR) - 1);
      if (q.names !== undefined && q.names.length === 0) return { rows: [], scanEdgeId: null };
      let scanEdgeId: number | null = null;
      if ((q.inputContains !== undefined || q.failureKind !== undefined) && q.inputScanRows !== undefined && lo <= hi) {
        // The scan window: the next inputScanRows ids in paging order, found by the primary key.
        const edge = this.scanEdge(lo, hi, q.inputScanRows, newer);
        if (edge !== null) {
          scanEdgeId = edge;
          if (newer) hi = edge;
          else lo = edge;
        }
      }
      if (lo > hi) return { rows: [], scanEdgeId: null };
      const where = ['s.saga_id BETWEEN @lo AND @hi'];
      if (q.state !== undefined) where.push('s.state = @state');
      if (q.hideReviewed) where.push('s.reviewed_at IS NULL');
      if (q.recoveredBy !== undefined) {
        where.push(`s.saga_id IN (SELECT json_extract(m.value, '$.sagaId') FROM launcher_recovery_report r, json_each(r.marked_json) m
          WHERE r.boot_id = @recoveredBy)`);
      }
      if (q.inputContains !== undefined) where.push(`s.input_json LIKE @pattern ESCAPE '\\'`);
      if (q.failureKind !== undefined) where.push('s.failure_kind = @failureKind');
      if (q.names !== undefined) where.push('s.name = @name');
      const sql = `SELECT s.saga_id FROM launcher_saga s WHERE ${where.join(' AND ')}
        ORDER BY s.saga_id ${newer ? 'ASC' : 'DESC'} LIMIT @limit`;
      const stmt = this.cachedStatement(sql).pluck();
      const params = {
        lo,
        hi,
        state: q.state,
        recoveredBy: q.recoveredBy,
        failureKind: q.failureKind,
        pattern: q.inputContains === undefined ? undefined : `%${q.inputContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
        limit: q.limit,
      };
      const ids: number[] = [];
      for (const name of q.names ?? [undefined]) ids.push(...(stmt.all({ ...params, name }) as number[]));
      ids.sort((a, b) => (newer ? a - b : b - a));
      const page = ids.slice(0, q.limit).sort((a, b) => b - a);
      // A full page answers the question; the scan edge matters only when the window ran out first.
      if (ids.length >= q.limit) scanEdgeId = null;
      return { rows: this.summariesOf(page), scanEdgeId };
    });
  }

  private cachedStatement(sql: string): Database.Statement {
    let stmt = this.recentStmts.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.recentStmts.set(sql, stmt);
    }
    return stmt;
  }

  /** The id `rows` rows into [lo, hi] from its top (older) or bottom (newer) end, or null when the range holds fewer. */
  private scanEdge(lo: number, hi: number, rows: number, newer: boolean): number | null {
    const sql = `SELECT saga_id FROM launcher_saga WHERE saga_id BETWEEN ? AND ? ORDER BY saga_id ${newer ? 'ASC' : 'DESC'} LIMIT 1 OFFSET ?`;
    return (this.cachedStatement(sql).pluck().get(lo, hi, rows - 1) as number | undefined) ?? null;
  }

  /** Summaries of these sagas, newest first, in one query. */
  summariesOf(sagaIds: readonly number[]): SagaSummary[] {
    if (sagaIds.length === 0) return [];
    return this.read('reading saga summaries', () => {
      const stmt = this.cachedStatement(
        `SELECT ${SUMMARY_COLUMNS} FROM launcher_saga s WHERE s.saga_id IN (SELECT value FROM json_each(?)) ORDER BY s.saga_id DESC`,
      );
      return (stmt.all(JSON.stringify(sagaIds)) as SummaryRow[]).map(summaryFromRow);
    });
  }

  /**
   * The distinct saga names, walked through the name index one seek per name (a log holds a
   * handful of definitions, however many rows), so partial-name search never scans the table.
   */
  sagaNames(max = 500): string[] {
    return this.read('reading saga names', () => {
      const next = this.cachedStatement(`SELECT name FROM launcher_saga WHERE name > ? ORDER BY name LIMIT 1`).pluck();
      const out: string[] = [];
      let after = '';
      for (let n = (next.get(after) as string | undefined); n !== undefined && out.length < max; n = next.get(after) as string | undefined) {
        out.push(n);
        after = n;
      }
      return out;
    });
  }

  /**
   * The first saga id whose start is at or after `iso`, by binary search on the primary key:
   * ids are issued in start order by one clock, so a time range becomes an id range. Null when none.
   */
  idStartedAtOrAfter(iso: string): number | null {
    return this.read('finding sagas by start time', () => {
      const at = this.cachedStatement(`SELECT saga_id, started_at FROM launcher_saga WHERE saga_id >= ? ORDER BY saga_id LIMIT 1`);
      let lo = 1;
      let hi = this.stmts.maxId.get() as number;
      let found: number | null = null;
      while (lo <= hi) {
        const mid = Math.floor((lo + hi) / 2);
        const row = at.get(mid) as { saga_id: number; started_at: string } | undefined;
        if (row === undefined || row.saga_id > hi) {
          hi = mid - 1;
          continue;
        }
        if (row.started_at >= iso) {
          found = row.saga_id;
          hi = mid - 1;
        } else lo = row.saga_id + 1;
      }
      return found;
    });
  }

  /**
   * The value of one top-level input field per saga (`fields` names it per saga name, else
   * `fallback`), as text; null where the input lacks it or is not JSON. One query.
   */
  keyInputsOf(sagaIds: readonly number[], fields: Readonly<Record<string, string>>, fallback: string): Map<number, string> {
    const out = new Map<number, string>();
    if (sagaIds.length === 0) return out;
    return this.read('reading key inputs', () => {
      const stmt = this.cachedStatement(
        `SELECT s.saga_id AS id, CASE WHEN json_valid(s.input_json) THEN json_extract(s.input_json,
           '$."' || COALESCE((SELECT f.value FROM json_each(@fields) f WHERE f.key = s.name), @fallback) || '"') END AS k
         FROM launcher_saga s WHERE s.saga_id IN (SELECT value FROM json_each(@ids))`,
      );
      for (const row of stmt.all({ ids: JSON.stringify(sagaIds), fields: JSON.stringify(fields), fallback }) as { id: number; k: unknown }[]) {
        if (typeof row.k === 'string' || typeof row.k === 'number') out.set(row.id, String(row.k));
      }
      return out;
    });
  }

  /** Which of these sagas carry a review. */
  reviewedAmong(sagaIds: readonly number[]): Set<number> {
    if (sagaIds.length === 0) return new Set();
    return this.read('reading reviews', () => {
      const stmt = this.cachedStatement(
        `SELECT saga_id FROM launcher_saga WHERE reviewed_at IS NOT NULL AND saga_id IN (SELECT value FROM json_each(?))`,
      ).pluck();
      return new Set(stmt.all(JSON.stringify(sagaIds)) as number[]);
    });
  }

  saga(sagaId: number): SagaDetail | null {
    return this.read(`reading saga ${sagaId}`, () => {
      const row = this.stmts.summary.get(sagaId) as (SummaryRow & { input_json: string }) | undefined;
      if (!row) return null;
      const steps = (this.stmts.steps.all(sagaId) as StepRow[]).map(stepFromRow);
      return { ...summaryFromRow(row), inputJson: row.input_json, steps };
    });
  }

  /** Steps of several sagas in one query, keyed by saga id. */
  stepsOf(sagaIds: readonly number[]): Map<number, StepRecord[]> {
    return this.read('reading steps', () => {
      const out = new Map<number, StepRecord[]>(sagaIds.map((id) => [id, []]));
      for (const row of this.stmts.stepsOf.iterate(JSON.stringify(sagaIds)) as IterableIterator<StepRow>) {
        out.get(row.saga_id)?.push(stepFromRow(row));
      }
      return out;
    });
  }

  countInState(state: SagaState): number {
    return this.read('counting sagas', () => this.stmts.countState.get(state) as number);
  }

  countUnreviewed(): number {
    return this.read('counting unreviewed sagas', () => this.stmts.countUnreviewed.get() as number);
  }

  markReviewed(sagaId: number, reviewedBy: string, note: string): void {
    this.write(`mark saga ${sagaId} reviewed`, () => {
      const r = this.w.review.run({ sagaId, by: reviewedBy, note, now: this.now() });
      if (r.changes === 1) return;
      const d = this.saga(sagaId);
      if (!d) throw new SagaLogError('not_found', `no saga ${sagaId}`);
      if (d.review) {
        throw new SagaLogError('invalid_transition', `saga ${sagaId} was already reviewed by ${d.review.reviewedBy} at ${d.review.reviewedAt}`);
      }
      throw new SagaLogError('invalid_transition', `saga ${sagaId} is ${d.state}; only failed_compensation sagas are reviewed`);
    });
  }

  /** Marks every listed saga that is failed_compensation and not yet reviewed, in one transaction; returns those it marked. */
  markReviewedMany(sagaIds: readonly number[], reviewedBy: string, note: string): number[] {
    return this.write(`mark ${sagaIds.length} sagas reviewed`, () => {
      const now = this.now();
      return sagaIds.filter((sagaId) => this.w.review.run({ sagaId, by: reviewedBy, note, now }).changes === 1);
    });
  }

  /**
   * An operator's "compensate now" begins: failed_compensation -> compensating (so a crash in the
   * middle is recovered like any compensation), the action recorded with who and the note.
   * Any review is cleared: the saga needs a look again if the undos do not all succeed.
   */
  beginOperatorCompensation(sagaId: number, by: string, note: string): number {
    return this.write(`begin compensating saga ${sagaId}`, () => {
      const r = this.w.beginOperatorCompensation.run({ sagaId });
      if (r.changes !== 1) this.refuseSagaTransition(sagaId, 'compensating');
      return Number(this.w.insertAction.run({ sagaId, action: 'compensate', by, note, now: this.now(), outcome: null }).lastInsertRowid);
    });
  }

  /** The end of an operator's compensation: the saga's state and reason, and the action's outcome, together. */
  finishOperatorCompensation(sagaId: number, actionId: number, state: 'failed' | 'failed_compensation', reason: string): void {
    this.write(`record the end of compensating saga ${sagaId}`, () => {
      const now = this.now();
      const r =
        state === 'failed'
          ? this.w.terminate.run({ sagaId, state, reason, kind: null, now })
          : this.w.markFailedCompensation.run({ sagaId, reason, kind: null, now });
      if (r.changes !== 1) this.refuseSagaTransition(sagaId, state);
      this.w.setActionOutcome.run({ actionId, outcome: state });
    });
  }

  /**
   * Ends a failed_compensation saga as the log proves it ended (the caller checked the proof):
   * the state, the reason with what was done, and the action with who and the note, together.
   */
  resolveFromLog(sagaId: number, state: 'completed' | 'failed', reason: string, by: string, note: string): void {
    this.write(`resolve saga ${sagaId} as ${state}`, () => {
      const r = this.w.resolve.run({ sagaId, state, reason });
      if (r.changes !== 1) this.refuseSagaTransition(sagaId, state);
      // Rows the proof counted as done by their peer's receipt are recorded so (with the receipt's output, kept on the row).
      const applied = this.stmts.appliedInFlight.all(sagaId) as { step_index: number; compensates_index: number | null; output_json: string | null }[];
      for (const row of applied) {
        this.w.finishStep.run({ sagaId, stepIndex: row.step_index, outputJson: row.output_json, now: this.now() });
        if (row.compensates_index !== null) this.w.markStepCompensated.run({ sagaId, stepIndex: row.compensates_index });
      }
      this.w.insertAction.run({ sagaId, action: 'resolve', by, note, now: this.now(), outcome: state });
    });
  }

  /** The operator actions recorded on a saga, oldest first. */
  operatorActions(sagaId: number): OperatorAction[] {
    return this.read(`reading operator actions of saga ${sagaId}`, () => this.stmts.actions.all(sagaId) as OperatorAction[]);
  }

  /**
   * Steps recovery left in flight that reconciliation has yet to answer, in (saga, step) order: all of
   * them, or `limit` after a step already read (reconciliation reads a page at a time).
   */
  stepsToReconcile(after: { sagaId: number; stepIndex: number } | null = null, limit = -1): StepToReconcile[] {
    return this.read('reading the steps to reconcile', () =>
      (
        this.stmts.toReconcile.all({ fromSaga: after?.sagaId ?? 0, afterStep: after?.stepIndex ?? -1, limit }) as {
          saga_id: number;
          saga_name: string;
          step_index: number;
          name: string;
          target: Target | null;
          started_at: string;
          peer_generation: number | null;
          op: unknown;
          reconciled: ReconciledAnswer | null;
          reconciled_why: string | null;
        }[]
      ).map((r) => ({
        sagaId: r.saga_id,
        sagaName: r.saga_name,
        stepIndex: r.step_index,
        stepName: r.name,
        target: r.target,
        op: typeof r.op === 'string' ? r.op : null,
        startedAt: r.started_at,
        peerGeneration: r.peer_generation,
        previous: r.reconciled === null ? null : { answer: r.reconciled, why: r.reconciled_why ?? '' },
      })),
    );
  }

  /**
   * Records reconciliation's answers in one transaction: each on its step row, and each sentence
   * appended to its saga's reason. The saga's state is not touched. Returns the sagas changed.
   */
  recordReconciliation(steps: readonly ReconciledStep[]): number[] {
    if (steps.length === 0) return [];
    return this.write('record what reconciliation learned', () => {
      const now = this.now();
      const changed = new Set<number>();
      for (const st of steps) {
        const r = this.w.reconcileStep.run({ sagaId: st.sagaId, stepIndex: st.stepIndex, answer: st.answer, why: st.why, source: st.source, outputJson: st.outputJson, now });
        // A row no longer pending (an operator acted meanwhile) keeps what it says.
        if (r.changes !== 1) continue;
        this.w.appendReason.run({ sagaId: st.sagaId, sentence: st.sentence });
        changed.add(st.sagaId);
      }
      return [...changed];
    });
  }

  /**
   * Launch-time recovery as one transaction: read what a crash left, let `plan` word it,
   * mark each saga failed_compensation and persist the report. A second run finds nothing
   * unresolved and writes nothing.
   */
  recoverInterrupted(input: RecoveryPlanInput): RecoveryReport {
    const t0 = performance.now();
    const startedAt = this.now();
    return this.write('recover interrupted sagas', () => {
      this.withRecovery?.();
      const unresolved = this.readUnresolved();
      const marked = input.plan(unresolved);
      const now = this.now();
      for (const m of marked) {
        const r = this.w.markFailedCompensation.run({ sagaId: m.sagaId, reason: m.reason, kind: null, now });
        if (r.changes !== 1) this.refuseSagaTransition(m.sagaId, 'failed_compensation');
      }
      const report: RecoveryReport = {
        bootId: input.bootId,
        startedAt,
        durationMs: performance.now() - t0,
        marked,
        movedAside: input.movedAside,
      };
      if (marked.length > 0 || input.movedAside.length > 0) {
        this.w.insertReport.run({
          bootId: report.bootId,
          startedAt: report.startedAt,
          durationMs: report.durationMs,
          markedJson: JSON.stringify(report.marked),
          movedAsideJson: JSON.stringify(report.movedAside),
        });
      }
      this.withRecovery = null;
      return report;
    });
  }

  /**
   * Runs `fn` first inside the next launch recovery's transaction, so what it writes (the record
   * of the launch that owns the log) commits together with recovery's marks, or not at all: a
   * launch that fails leaves the file as it found it.
   */
  runWithRecovery(fn: () => void): void {
    this.withRecovery = fn;
  }

  /** The launches recorded as owning this log (normally one: the running one, or the last one). */
  bootOwners(): BootOwner[] {
    return this.read('reading the launch that owns the log', () => this.readOwners());
  }

  /** The boot_owner_* rows, grouped by launch; the caller wraps it in its read or write. */
  private readOwners(): BootOwner[] {
    return ownersFromRows(this.stmts.owners.all() as { key: string; value: number }[]);
  }

  /**
   * Records `self` as the launch that owns this log, in one transaction that also reads the
   * records already there: when `isLive` says any of them still runs, nothing is written and
   * those are returned (the caller refuses the launch); otherwise the stale ones are replaced.
   */
  claimOwnership(self: BootOwner, isLive: (owner: BootOwner) => boolean): BootOwner[] {
    if (!this.writable) return this.bootOwners().filter((o) => o.bootId !== self.bootId && isLive(o));
    return this.write('record the launch that owns the log', () => {
      const live = this.readOwners().filter((o) => o.bootId !== self.bootId && isLive(o));
      if (live.length > 0) return live;
      this.w.clearOwners.run();
      this.w.insertMeta.run(OWNER_KEY.pid + self.bootId, self.pid);
      if (self.startTicks !== null) this.w.insertMeta.run(OWNER_KEY.startTicks + self.bootId, self.startTicks);
      if (self.lockFileId !== null) this.w.insertMeta.run(OWNER_KEY.lockFileId + self.bootId, self.lockFileId);
      return [];
    });
  }

  /** The newest reports that can be read back (see `readRecoveryReports` for the others). */
  latestRecoveryReports(limit: number): RecoveryReport[] {
    return this.readRecoveryReports(limit).reports;
  }

  /**
   * The newest `limit` persisted recovery reports, newest first, each checked on its own: one
   * that cannot be read back (malformed JSON, a shape this build does not know) is returned
   * among `unreadable` with why, and the others are still read.
   */
  readRecoveryReports(limit: number, bootId?: string): { reports: RecoveryReport[]; unreadable: UnreadableRecoveryReport[] } {
    return this.read('reading recovery reports', () => {
      const rows = (bootId === undefined ? this.stmts.latestReports.all(limit) : this.stmts.reportByBoot.all(bootId)) as {
        report_id: number;
        boot_id: unknown;
        started_at: unknown;
        duration_ms: unknown;
        marked_json: unknown;
        moved_aside_json: unknown;
      }[];
      const reports: RecoveryReport[] = [];
      const unreadable: UnreadableRecoveryReport[] = [];
      for (const r of rows) {
        const json = (text: unknown, column: string): unknown => {
          if (typeof text !== 'string') throw new Error(`${column} is not text`);
          try {
            return JSON.parse(text);
          } catch (err) {
            throw new Error(`${column} is not JSON (${(err as Error).message})`);
          }
        };
        let why: string;
        try {
          const parsed = RecoveryReportSchema.safeParse({
            bootId: r.boot_id,
            startedAt: r.started_at,
            durationMs: r.duration_ms,
            marked: json(r.marked_json, 'marked_json'),
            movedAside: json(r.moved_aside_json, 'moved_aside_json'),
          });
          if (parsed.success) {
            reports.push(parsed.data);
            continue;
          }
          why = `it does not match this build's contract (${describeZodIssue(parsed.error)})`;
        } catch (err) {
          why = (err as Error).message;
        }
        unreadable.push({
          reportId: r.report_id,
          bootId: typeof r.boot_id === 'string' ? r.boot_id : null,
          startedAt: typeof r.started_at === 'string' ? r.started_at : null,
          why,
        });
      }
      return { reports, unreadable };
    });
  }

  /**
   * Deletes at most one batch of prunable sagas (steps cascade) with ids in (afterId, throughId],
   * walking ids upward; says how far the walk got, so the next call starts there and a kept saga
   * is walked once per pass, not once per batch.
   */
  pruneFinished(q: PruneQuery): PruneResult {
    const through = q.throughId ?? NO_CURSOR;
    return this.write('prune finished sagas', () => {
      const ids = this.w.prune.all({
        cutoff: q.endedBefore.toISOString(),
        countCutoffId: q.upToId,
        batch: q.batchSize,
        after: q.afterId ?? 0,
        through,
      }) as number[];
      // A full batch may have stopped short of `through`: the walk is complete up to its last id.
      const walkedThrough = ids.length < q.batchSize ? through : Math.max(...ids);
      return { deleted: ids.length, walkedThrough };
    });
  }

  /**
   * The id just below the newest `keepNewest` sagas whose id is below `belowId` (0 when there are
   * no more than that): an index walk of `keepNewest` rows, so a caller with a large count asks in
   * pieces, each piece starting where the last one stopped.
   */
  idBeyondNewest(keepNewest: number, belowId: number = Number.MAX_SAFE_INTEGER): number {
    return this.read(
      'finding the retention cutoff',
      () => (this.stmts.countCutoffId.get({ skip: keepNewest, below: belowId }) as number | undefined) ?? 0,
    );
  }

  /** Gives up to `pages` free pages back to the file system. */
  releaseFreePages(pages: number): void {
    if (!this.writable) return;
    this.read('releasing free pages', () => this.db.pragma(`incremental_vacuum(${Math.floor(pages)})`));
  }

  freePageCount(): number {
    return this.read('counting free pages', () => this.db.pragma('freelist_count', { simple: true }) as number);
  }

  /**
   * Sets after how many WAL pages a commit checkpoints, returning the previous setting. A checkpoint
   * runs inside the commit that crosses the mark, so bulk work lowers it to pay in small pieces.
   */
  setAutoCheckpointPages(pages: number): number {
    return this.read('setting the checkpoint size', () => {
      const previous = this.db.pragma('wal_autocheckpoint', { simple: true }) as number;
      this.db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(pages))}`);
      return previous;
    });
  }

  /** After how many WAL pages a commit on this connection checkpoints (0: never; the worker does). */
  autoCheckpointPages(): number {
    return this.read('reading the checkpoint size', () => this.db.pragma('wal_autocheckpoint', { simple: true }) as number);
  }

  /** Folds the WAL back into the main file; used on orderly shutdown so the next open starts clean. */
  checkpoint(): void {
    if (!this.writable) return;
    this.read('checkpointing', () => this.db.pragma('wal_checkpoint(TRUNCATE)'));
  }

  /** The -wal bound this connection keeps, in bytes (the checkpoint worker's connection takes the same). */
  walSizeLimitBytes(): number {
    return this.read('reading the WAL size limit', () => this.db.pragma('journal_size_limit', { simple: true }) as number);
  }

  /** Settles once the id reservation has no write under way (shutdown waits before it releases the profile). */
  async idsSettled(): Promise<void> {
    await this.idReservation?.settled();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
