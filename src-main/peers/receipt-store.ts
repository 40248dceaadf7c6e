// Durable receipts of the steps a peer applied: saga, step, attempt (peer generation), op, outcome,
// time and how durable the receipt is. Reconciliation reads them after a crash; a final step's
// idempotency key found here is answered from its receipt, never applied again.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ReceiptDraft } from '../saga/command';
import { errorMessage } from '../saga/command';
import type { StepRef } from '../saga/reconciliation';
import { MAX_RECEIPT_OUTPUT_CHARS, type ReceiptDurability, type ReceiptOutcome, type WireReceiptInput } from './peer-protocol';

export interface Receipt extends ReceiptDraft {
  outcome: ReceiptOutcome;
  output: unknown;
  durability: ReceiptDurability;
}

/** What the peer runtime needs from wherever receipts are kept. */
export interface ReceiptStore {
  /** Ops whose handlers record their receipt in the effect's own transaction (see ReceiptTable.recordWith). */
  readonly atomicOps: readonly string[];
  /** When the store was created: a step sent before then cannot have its receipt here. */
  readonly createdAt: string;
  /** Why this store is not the one earlier launches wrote (a damaged one moved aside), or null. */
  readonly note: string | null;
  /** Read-only: the receipts held for these steps (any attempt). */
  forSteps(steps: readonly StepRef[]): WireReceiptInput[];
  /** The output of the applied step that carried this idempotency key, if any. */
  byKey(key: string): { output: unknown } | undefined;
  /** Idempotent per (saga, step, attempt): a receipt the handler recorded already is kept as it is. */
  record(receipt: Receipt): void;
}

const DDL = `
CREATE TABLE IF NOT EXISTS peer_receipt (
  saga_id         INTEGER NOT NULL,
  step_index      INTEGER NOT NULL,
  attempt         INTEGER NOT NULL,
  op              TEXT NOT NULL,
  outcome         TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
  output_json     TEXT,
  idempotency_key TEXT,
  durability      TEXT NOT NULL CHECK (durability IN ('atomic', 'after_effect')),
  recorded_at     TEXT NOT NULL,
  PRIMARY KEY (saga_id, step_index, attempt)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idx_peer_receipt_key ON peer_receipt(idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE TABLE IF NOT EXISTS peer_receipt_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`;

/**
 * The receipt table inside a SQLite database, so a handler whose effect lives in that same
 * database records its receipt in the effect's transaction: call `recordWith` inside it (atomic).
 */
export class ReceiptTable implements ReceiptStore {
  readonly createdAt: string;
  readonly note: string | null;
  private readonly sql;

  /** `createdNote`: why the store is being created fresh; kept with its creation time for later launches. */
  constructor(
    db: Database.Database,
    readonly atomicOps: readonly string[] = [],
    createdNote: string | null = null,
  ) {
    db.exec(DDL);
    const meta = db.prepare(`INSERT OR IGNORE INTO peer_receipt_meta(key, value) VALUES (?, ?)`);
    // A store from before receipts gets its creation time now: earlier steps then read as unknown, never not_applied.
    db.transaction(() => {
      if (meta.run('created_at', new Date().toISOString()).changes === 1 && createdNote !== null) meta.run('created_note', createdNote);
    })();
    const read = db.prepare<[string], string>(`SELECT value FROM peer_receipt_meta WHERE key = ?`).pluck();
    this.createdAt = read.get('created_at')!;
    this.note = read.get('created_note') ?? null;
    this.sql = {
      insert: db.prepare(
        `INSERT OR IGNORE INTO peer_receipt(saga_id, step_index, attempt, op, outcome, output_json, idempotency_key, durability, recorded_at)
         VALUES (@sagaId, @stepIndex, @attempt, @op, @outcome, @outputJson, @idempotencyKey, @durability, @recordedAt)`,
      ),
      byKey: db.prepare<[string], { output_json: string | null }>(
        `SELECT output_json FROM peer_receipt WHERE idempotency_key = ? AND outcome = 'succeeded' LIMIT 1`,
      ),
      forSteps: db.prepare<
        [string],
        { saga_id: number; step_index: number; attempt: number; op: string; outcome: ReceiptOutcome; durability: ReceiptDurability; recorded_at: string; output_json: string | null }
      >(
        `SELECT saga_id, step_index, attempt, op, outcome, durability, recorded_at, output_json FROM peer_receipt
         WHERE (saga_id, step_index) IN (SELECT json_extract(value, '$.sagaId'), json_extract(value, '$.stepIndex') FROM json_each(?))
         ORDER BY saga_id, step_index, attempt`,
      ),
    };
  }

  /** Call inside the transaction that applies the step's effect: the two commit together or not at all. */
  recordWith(draft: ReceiptDraft, output: unknown): void {
    this.record({ ...draft, outcome: 'succeeded', output, durability: 'atomic' });
  }

  record(receipt: Receipt): void {
    this.sql.insert.run({
      sagaId: receipt.sagaId,
      stepIndex: receipt.stepIndex,
      attempt: receipt.attempt,
      op: receipt.op,
      outcome: receipt.outcome,
      outputJson: JSON.stringify(receipt.output ?? null),
      idempotencyKey: receipt.idempotencyKey,
      durability: receipt.durability,
      recordedAt: new Date().toISOString(),
    });
  }

  byKey(key: string): { output: unknown } | undefined {
    const row = this.sql.byKey.get(key);
    return row ? { output: row.output_json === null ? null : JSON.parse(row.output_json) } : undefined;
  }

  forSteps(steps: readonly StepRef[]): WireReceiptInput[] {
    return this.sql.forSteps.all(JSON.stringify(steps)).map((r) => ({
      sagaId: r.saga_id,
      stepIndex: r.step_index,
      attempt: r.attempt,
      op: r.op,
      outcome: r.outcome,
      durability: r.durability,
      recordedAt: r.recorded_at,
      outputJson: r.outcome === 'succeeded' && r.output_json !== null && r.output_json.length <= MAX_RECEIPT_OUTPUT_CHARS ? r.output_json : null,
    }));
  }
}

function openChecked(file: string): Database.Database {
  const db = new Database(file, { timeout: 5000 });
  try {
    db.pragma('journal_mode = WAL');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`quick_check says ${String(check)}`);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * A peer's own receipt file (`<name>-receipts.db` in the profile), for handlers without a database
 * of their own: the runtime records each receipt just after the effect (`after_effect`). A damaged
 * file is moved aside and a fresh one started, and its answers say so: they read `unknown`.
 */
export function openReceiptFile(file: string): { db: Database.Database; store: ReceiptTable } {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let note: string | null = null;
  let db: Database.Database;
  try {
    db = openChecked(file);
    return { db, store: new ReceiptTable(db) };
  } catch (err) {
    const aside = `${file}.damaged-${Date.now()}`;
    for (const suffix of ['', '-wal', '-shm']) {
      try {
        fs.renameSync(`${file}${suffix}`, `${aside}${suffix}`);
      } catch {
        // A -wal or -shm that does not exist has nothing to move.
      }
    }
    note = `the receipt store could not be read (${errorMessage(err)}) and was moved aside to ${path.basename(aside)}`;
    process.stderr.write(`${note}\n`);
  }
  db = openChecked(file);
  return { db, store: new ReceiptTable(db, [], note) };
}
