// Schema of launcher-sagas.db as an ordered list of versions, each a list of additions.
// Version 1 is the launcher schema verbatim; later versions only ADD (tables, columns, indexes),
// so a file written by any version stays readable by every later build. The only removals are
// indexes (versions 5 and 9): an index holds no data, only a faster path to rows that stay where they are.
//
// Additions are applied where they are missing, whatever `user_version` says (see schema-plan.ts):
// the launcher's own lineage creates version 1 with idempotent DDL and stamps afterwards, and an
// older build re-stamps a newer file with its own version.

export type Addition =
  | { readonly kind: 'table'; readonly name: string; readonly sql: string }
  | { readonly kind: 'column'; readonly table: string; readonly name: string; readonly sql: string }
  | { readonly kind: 'index'; readonly name: string; readonly sql: string }
  | { readonly kind: 'drop_index'; readonly name: string }
  /** Idempotent data that goes with a version's tables, run with every migration. */
  | { readonly kind: 'data'; readonly sql: string };

export interface Migration {
  readonly version: number;
  readonly why: string;
  readonly additions: readonly Addition[];
}

const table = (name: string, sql: string): Addition => ({ kind: 'table', name, sql });
const column = (t: string, name: string, decl: string): Addition => ({
  kind: 'column',
  table: t,
  name,
  sql: `ALTER TABLE ${t} ADD COLUMN ${name} ${decl}`,
});
const index = (name: string, on: string): Addition => ({ kind: 'index', name, sql: `CREATE INDEX ${name} ON ${on}` });

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    why: 'launcher saga log schema',
    additions: [
      table(
        'launcher_saga',
        `CREATE TABLE launcher_saga (
    saga_id        INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('running', 'completed', 'failed', 'compensating', 'failed_compensation')),
    started_at     TEXT NOT NULL,
    ended_at       TEXT,
    input_json     TEXT NOT NULL,
    failure_reason TEXT
)`,
      ),
      table(
        'launcher_saga_step',
        `CREATE TABLE launcher_saga_step (
    saga_id        INTEGER NOT NULL REFERENCES launcher_saga(saga_id) ON DELETE CASCADE,
    step_index     INTEGER NOT NULL,
    name           TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed', 'compensated')),
    cmd_json       TEXT,
    target         TEXT,
    started_at     TEXT NOT NULL,
    ended_at       TEXT,
    output_json    TEXT,
    failure_reason TEXT,
    PRIMARY KEY (saga_id, step_index)
)`,
      ),
      // (state) carries the rowid, so WHERE state = ? ORDER BY saga_id DESC is an index range, not a sort.
      index('idx_launcher_saga_state', 'launcher_saga(state)'),
      index('idx_launcher_saga_step_state', 'launcher_saga_step(saga_id, state)'),
    ],
  },
  {
    version: 2,
    why: 'engine: step classification, idempotency keys, peer generation, compensation links, id high-water mark',
    additions: [
      column('launcher_saga', 'planned_steps', 'INTEGER'),
      column('launcher_saga_step', 'kind', `TEXT CHECK (kind IS NULL OR kind IN ('read_only', 'compensatable', 'final'))`),
      column('launcher_saga_step', 'idempotency_key', 'TEXT'),
      column('launcher_saga_step', 'peer_generation', 'INTEGER'),
      column('launcher_saga_step', 'compensates_index', 'INTEGER'),
      // Without AUTOINCREMENT, INTEGER PRIMARY KEY hands out MAX+1, which reuses the ids of pruned
      // newest rows; the high-water mark survives deletion so an id is never issued twice.
      table(
        'launcher_saga_meta',
        `CREATE TABLE launcher_saga_meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID`,
      ),
      {
        kind: 'data',
        // Also raises the mark over ids an older build issued meanwhile (it never writes the mark).
        sql: `INSERT INTO launcher_saga_meta(key, value)
    SELECT 'saga_id_high_water', COALESCE(MAX(saga_id), 0) FROM launcher_saga WHERE true
    ON CONFLICT(key) DO UPDATE SET value = MAX(value, excluded.value)`,
      },
      index('idx_launcher_saga_name', 'launcher_saga(name)'),
    ],
  },
  {
    version: 3,
    why: 'recovery: boot ids and persisted recovery reports',
    additions: [
      column('launcher_saga', 'boot_id', 'TEXT'),
      table(
        'launcher_recovery_report',
        `CREATE TABLE launcher_recovery_report (
    report_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    boot_id       TEXT NOT NULL UNIQUE,
    started_at    TEXT NOT NULL,
    duration_ms   REAL NOT NULL,
    marked_json   TEXT NOT NULL,
    moved_aside_json TEXT NOT NULL
)`,
      ),
    ],
  },
  {
    version: 4,
    why: 'operator review of failed_compensation sagas',
    additions: [
      column('launcher_saga', 'reviewed_at', 'TEXT'),
      column('launcher_saga', 'reviewed_by', 'TEXT'),
      column('launcher_saga', 'review_note', 'TEXT'),
      // Added for retention; version 5 drops it, so a file missing it never gets it.
      index('idx_launcher_saga_state_ended', 'launcher_saga(state, ended_at)'),
    ],
  },
  {
    version: 5,
    why: 'a smaller file: no query reads idx_launcher_saga_state_ended (retention walks the primary key)',
    additions: [{ kind: 'drop_index', name: 'idx_launcher_saga_state_ended' }],
  },
  {
    version: 6,
    why: 'typed step failures: the kind of each failure, so the panel and diag can filter by it',
    additions: [column('launcher_saga', 'failure_kind', 'TEXT'), column('launcher_saga_step', 'failure_kind', 'TEXT')],
  },
  {
    version: 7,
    why: "operator actions: who resolved or compensated a saga, with a note, and how it ended",
    additions: [
      table(
        'launcher_operator_action',
        `CREATE TABLE launcher_operator_action (
    action_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    saga_id    INTEGER NOT NULL REFERENCES launcher_saga(saga_id) ON DELETE CASCADE,
    action     TEXT NOT NULL CHECK (action IN ('resolve', 'compensate')),
    done_by    TEXT NOT NULL,
    note       TEXT NOT NULL,
    at         TEXT NOT NULL,
    outcome    TEXT
)`,
      ),
      index('idx_launcher_operator_action_saga', 'launcher_operator_action(saga_id)'),
    ],
  },
  {
    version: 8,
    why: 'reconciliation: what the peer receipts said about a step recovery left in flight, with why, source and time',
    additions: [
      column('launcher_saga_step', 'reconciled', `TEXT CHECK (reconciled IS NULL OR reconciled IN ('applied', 'not_applied', 'unknown'))`),
      column('launcher_saga_step', 'reconciled_why', 'TEXT'),
      column('launcher_saga_step', 'reconciled_source', 'TEXT'),
      column('launcher_saga_step', 'reconciled_at', 'TEXT'),
    ],
  },
  {
    version: 9,
    // The launcher's own DDL (CREATE INDEX IF NOT EXISTS) puts it back when an older build opens
    // the file; the next open of this build drops it again, as it drops any index it made.
    why: 'a smaller file and a cheaper step: every query by saga id walks the primary-key index, so nothing reads idx_launcher_saga_step_state',
    additions: [{ kind: 'drop_index', name: 'idx_launcher_saga_step_state' }],
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The table whose presence identifies a file as a launcher saga log (the launcher's DDL creates it first). */
export const LOG_TABLE = 'launcher_saga';

/** Tables of schema version 1: a file of any lineage has them, with these exact columns. */
export const V1_TABLES = ['launcher_saga', 'launcher_saga_step'] as const;
