// Schema of launcher-sagas.db as an ordered list of additive migrations.
// Version 1 is the launcher schema verbatim; later versions only ADD (columns, tables, indexes),
// so a file written by any version stays readable by every later build.

export interface Migration {
  readonly version: number;
  readonly why: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    why: 'launcher saga log schema',
    sql: `
CREATE TABLE launcher_saga (
    saga_id        INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('running', 'completed', 'failed', 'compensating', 'failed_compensation')),
    started_at     TEXT NOT NULL,
    ended_at       TEXT,
    input_json     TEXT NOT NULL,
    failure_reason TEXT
);
CREATE TABLE launcher_saga_step (
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
);
-- (state) carries the rowid, so WHERE state = ? ORDER BY saga_id DESC is an index range, not a sort.
CREATE INDEX idx_launcher_saga_state ON launcher_saga(state);
CREATE INDEX idx_launcher_saga_step_state ON launcher_saga_step(saga_id, state);
`,
  },
  {
    version: 2,
    why: 'engine: step classification, idempotency keys, peer generation, compensation links, id high-water mark',
    sql: `
ALTER TABLE launcher_saga ADD COLUMN planned_steps INTEGER;
ALTER TABLE launcher_saga_step ADD COLUMN kind TEXT CHECK (kind IS NULL OR kind IN ('read_only', 'compensatable', 'final'));
ALTER TABLE launcher_saga_step ADD COLUMN idempotency_key TEXT;
ALTER TABLE launcher_saga_step ADD COLUMN peer_generation INTEGER;
ALTER TABLE launcher_saga_step ADD COLUMN compensates_index INTEGER;
-- Without AUTOINCREMENT, INTEGER PRIMARY KEY hands out MAX+1, which reuses the ids of pruned
-- newest rows; the high-water mark survives deletion so an id is never issued twice.
CREATE TABLE launcher_saga_meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO launcher_saga_meta(key, value)
    SELECT 'saga_id_high_water', COALESCE(MAX(saga_id), 0) FROM launcher_saga;
CREATE INDEX idx_launcher_saga_name ON launcher_saga(name);
`,
  },
  {
    version: 3,
    why: 'recovery: boot ids and persisted recovery reports',
    sql: `
ALTER TABLE launcher_saga ADD COLUMN boot_id TEXT;
CREATE TABLE launcher_recovery_report (
    report_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    boot_id       TEXT NOT NULL UNIQUE,
    started_at    TEXT NOT NULL,
    duration_ms   REAL NOT NULL,
    marked_json   TEXT NOT NULL,
    moved_aside_json TEXT NOT NULL
);
`,
  },
  {
    version: 4,
    why: 'operator review of failed_compensation sagas',
    sql: `
ALTER TABLE launcher_saga ADD COLUMN reviewed_at TEXT;
ALTER TABLE launcher_saga ADD COLUMN reviewed_by TEXT;
ALTER TABLE launcher_saga ADD COLUMN review_note TEXT;
-- Retention walks finished sagas oldest first by end time.
CREATE INDEX idx_launcher_saga_state_ended ON launcher_saga(state, ended_at);
`,
  },
  {
    version: 5,
    why: 'typed step failures: the kind of each failure, so the panel and diag can filter by it',
    sql: `
ALTER TABLE launcher_saga ADD COLUMN failure_kind TEXT;
ALTER TABLE launcher_saga_step ADD COLUMN failure_kind TEXT;
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Tables whose presence identifies a file as a launcher saga log. */
export const OWN_TABLES = ['launcher_saga', 'launcher_saga_step'] as const;
