// What a file's schema lacks, read from sqlite_master and pragma table_info rather than from
// its stamp: the statements that bring it to this build's schema, or the conflicts that make
// that impossible. Also the temporary shadows through which a read-only connection reads a
// file that lacks some of this build's tables or columns.
import Database from 'better-sqlite3';
import { type Addition, MIGRATIONS, SCHEMA_VERSION, V1_TABLES } from './schema';

interface ColumnShape {
  name: string;
  type: string;
}

interface IndexShape {
  table: string;
  columns: string[];
}

/** The tables (columns in order) and indexes of this build's schema, or of a file. */
interface Shape {
  tables: Map<string, ColumnShape[]>;
  indexes: Map<string, IndexShape>;
}

export interface PlannedStatement {
  sql: string;
  /** What the statement adds, for an error an operator can act on: `table launcher_saga_meta`, `column launcher_saga.boot_id`. */
  adds: string;
}

export interface SchemaPlan {
  /** In version order; empty when the file has everything this build needs. */
  statements: PlannedStatement[];
  /** Why the file cannot be brought to this build's schema, each naming a table and column or index. */
  conflicts: string[];
}

const normType = (t: string): string => t.trim().toUpperCase();

function readShape(db: Database.Database, schema = 'main'): Shape {
  const tables = new Map<string, ColumnShape[]>();
  const indexes = new Map<string, IndexShape>();
  const objects = db.prepare(`SELECT type, name, tbl_name FROM ${schema}.sqlite_master WHERE type IN ('table', 'index')`).all() as {
    type: string;
    name: string;
    tbl_name: string;
  }[];
  for (const o of objects) {
    if (o.type === 'table') {
      const cols = db.prepare(`SELECT name, type FROM pragma_table_info(?, ?)`).all(o.name, schema) as ColumnShape[];
      tables.set(o.name, cols.map((c) => ({ name: c.name, type: normType(c.type) })));
    } else {
      const cols = db.prepare(`SELECT name FROM pragma_index_info(?, ?) ORDER BY seqno`).pluck().all(o.name, schema) as (string | null)[];
      indexes.set(o.name, { table: o.tbl_name, columns: cols.map((c) => c ?? '') });
    }
  }
  return { tables, indexes };
}

let reference: Shape | null = null;
/** Every index some version creates, with the shape it was created with (dropped ones included). */
let madeIndexes: Map<string, IndexShape> | null = null;

/** This build's schema, built once by applying every version to an empty in-memory database. */
function referenceShape(): Shape {
  if (reference) return reference;
  const db = new Database(':memory:');
  try {
    const made = new Map<string, IndexShape>();
    for (const m of MIGRATIONS) {
      for (const a of m.additions) {
        if (a.kind === 'drop_index') db.exec(`DROP INDEX ${a.name}`);
        else db.exec(a.sql);
        if (a.kind === 'index') made.set(a.name, readShape(db).indexes.get(a.name)!);
      }
    }
    reference = readShape(db);
    madeIndexes = made;
    return reference;
  } finally {
    db.close();
  }
}

/** The shape `name` had when a version of ours created it, or undefined when none did. */
function madeIndex(name: string): IndexShape | undefined {
  referenceShape();
  return madeIndexes!.get(name);
}

function columnType(shape: Shape, t: string, c: string): string | undefined {
  return shape.tables.get(t)?.find((col) => col.name === c)?.type;
}

/** Columns a table's CREATE gives it, i.e. its reference columns minus those later versions add. */
function createdColumns(name: string): ColumnShape[] {
  const added = new Set(
    MIGRATIONS.flatMap((m) => m.additions).flatMap((a) => (a.kind === 'column' && a.table === name ? [a.name] : [])),
  );
  return (referenceShape().tables.get(name) ?? []).filter((c) => !added.has(c.name));
}

/** Indexes some version creates and no later version drops. */
function wantedIndexes(): Set<string> {
  const wanted = new Set<string>();
  for (const a of MIGRATIONS.flatMap((m) => m.additions)) {
    if (a.kind === 'index') wanted.add(a.name);
    if (a.kind === 'drop_index') wanted.delete(a.name);
  }
  return wanted;
}

const sameIndex = (a: IndexShape, b: IndexShape): boolean => a.table === b.table && a.columns.join(',') === b.columns.join(',');

function planAddition(a: Addition, file: Shape, plan: SchemaPlan, wanted: Set<string>): void {
  const ref = referenceShape();
  switch (a.kind) {
    case 'table': {
      const present = file.tables.get(a.name);
      if (!present) {
        plan.statements.push({ sql: a.sql, adds: `table ${a.name}` });
        return;
      }
      for (const c of createdColumns(a.name)) {
        const found = present.find((p) => p.name === c.name);
        if (!found) plan.conflicts.push(`table ${a.name} exists without its column ${c.name} (this build needs ${a.name}.${c.name} ${c.type})`);
        else if (found.type !== c.type) plan.conflicts.push(`column ${a.name}.${c.name} exists as ${found.type || 'untyped'}, but this build needs ${c.type}`);
      }
      return;
    }
    case 'column': {
      const found = file.tables.get(a.table)?.find((p) => p.name === a.name);
      const want = columnType(ref, a.table, a.name) ?? '';
      if (!found) plan.statements.push({ sql: a.sql, adds: `column ${a.table}.${a.name}` });
      else if (found.type !== want) plan.conflicts.push(`column ${a.table}.${a.name} exists as ${found.type || 'untyped'}, but this build adds it as ${want}`);
      return;
    }
    case 'index': {
      if (!wanted.has(a.name)) return;
      const found = file.indexes.get(a.name);
      const want = ref.indexes.get(a.name)!;
      if (!found) plan.statements.push({ sql: a.sql, adds: `index ${a.name} on ${want.table}(${want.columns.join(', ')})` });
      else if (!sameIndex(found, want)) {
        plan.conflicts.push(
          `index ${a.name} exists on ${found.table}(${found.columns.join(', ')}), but this build needs it on ${want.table}(${want.columns.join(', ')})`,
        );
      }
      return;
    }
    case 'drop_index': {
      // Only the index a version of ours made goes (same table, same columns); a same-named index
      // of another shape is somebody else's and is left alone.
      const found = file.indexes.get(a.name);
      const made = madeIndex(a.name);
      if (found && made && sameIndex(found, made)) plan.statements.push({ sql: `DROP INDEX ${a.name}`, adds: `the removal of index ${a.name}` });
      return;
    }
    case 'data':
      return;
  }
}

/** What `db`'s main schema lacks against this build's, in version order. Reads only. */
export function planSchema(db: Database.Database): SchemaPlan {
  const file = readShape(db);
  const plan: SchemaPlan = { statements: [], conflicts: [] };
  const wanted = wantedIndexes();
  for (const m of MIGRATIONS) for (const a of m.additions) planAddition(a, file, plan, wanted);
  return plan;
}

export class SchemaConflict extends Error {
  override readonly name = 'SchemaConflict';
}

/**
 * Brings `db` to this build's schema in one IMMEDIATE transaction, then stamps it. The plan is
 * made again inside the transaction, so it matches what is there when it runs. Throws
 * SchemaConflict naming the table and column (nothing applied) when the file cannot be upgraded.
 */
export function migrate(db: Database.Database): void {
  const stamped = db.pragma('user_version', { simple: true }) as number;
  if (stamped > SCHEMA_VERSION) throw new SchemaConflict(`it has schema version ${stamped}, newer than this build's ${SCHEMA_VERSION}`);
  const quick = planSchema(db);
  if (quick.statements.length === 0 && quick.conflicts.length === 0 && stamped === SCHEMA_VERSION) return;
  db.transaction(() => {
    const plan = planSchema(db);
    if (plan.conflicts.length > 0) throw new SchemaConflict(plan.conflicts.join('; '));
    for (const s of plan.statements) {
      try {
        db.exec(s.sql);
      } catch (err) {
        // A full disk, a lock or damage keep their own codes; only a schema error is a conflict.
        if ((err as { code?: unknown }).code !== 'SQLITE_ERROR') throw err;
        throw new SchemaConflict(`adding ${s.adds} failed: ${(err as Error).message}`, { cause: err });
      }
    }
    for (const a of MIGRATIONS.flatMap((m) => m.additions)) if (a.kind === 'data') db.exec(a.sql);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

const quoteId = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Temporary shadows, for a read-only connection, of this build's tables and columns the file
 * lacks: unqualified names resolve to the temp schema first, so every read statement runs as
 * written. A missing version-1 column reads as NULL through a view (simple views are flattened,
 * so the file's indexes still serve); a missing or foreign-shaped later table reads as empty.
 * Returns what was shadowed.
 */
export function installReadShadows(db: Database.Database): string[] {
  const file = readShape(db);
  const shadowed: string[] = [];
  for (const [name, want] of referenceShape().tables) {
    if (name.startsWith('sqlite_')) continue;
    const present = file.tables.get(name);
    const missing = want.filter((c) => !present?.some((p) => p.name === c.name));
    if (missing.length === 0) continue;
    const v1 = (V1_TABLES as readonly string[]).includes(name);
    if (present && v1) {
      const cols = want.map((c) => (missing.includes(c) ? `NULL AS ${quoteId(c.name)}` : `main.${quoteId(name)}.${quoteId(c.name)}`));
      db.exec(`CREATE TEMP VIEW ${quoteId(name)} AS SELECT ${cols.join(', ')} FROM main.${quoteId(name)}`);
      shadowed.push(`${name} (${missing.map((c) => c.name).join(', ')} read as empty)`);
    } else {
      db.exec(`CREATE TEMP TABLE ${quoteId(name)} (${want.map((c) => `${quoteId(c.name)} ${c.type}`).join(', ')})`);
      shadowed.push(present ? `${name} (not this build's shape: read as empty)` : `${name} (absent: read as empty)`);
    }
  }
  return shadowed;
}
