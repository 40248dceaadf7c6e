// srv's own store: the workspaces it manages and the receipts of the steps that changed them, in
// one SQLite file, so each effect and its receipt (and a final step's idempotency key) commit together.
import crypto from 'node:crypto';
import Database from 'better-sqlite3';
import { type ReceiptDraft, ReceiptTable } from '../index';

export const WORKSPACE_STORE_FILE = 'srv-workspaces.db';

export interface Workspace {
  workspaceId: string;
  name: string;
  owner: string;
  state: 'active' | 'archived';
  createdAt: string;
  publishedAt: string | null;
  archivedAt: string | null;
}

interface WorkspaceRow {
  workspace_id: string;
  name: string;
  owner: string;
  state: 'active' | 'archived';
  created_at: string;
  published_at: string | null;
  archived_at: string | null;
}

const fromRow = (r: WorkspaceRow): Workspace => ({
  workspaceId: r.workspace_id,
  name: r.name,
  owner: r.owner,
  state: r.state,
  createdAt: r.created_at,
  publishedAt: r.published_at,
  archivedAt: r.archived_at,
});

/** Every statement the store runs, prepared once when it opens: srv answers each step with a few. */
function prepare(db: Database.Database) {
  return {
    activeByName: db.prepare<[string], { workspace_id: string }>(`SELECT workspace_id FROM workspace WHERE name = ? AND state = 'active'`),
    insert: db.prepare<[string, string, string, string | null, string]>(
      `INSERT INTO workspace(workspace_id, name, owner, token_sha256, state, created_at) VALUES (?, ?, ?, ?, 'active', ?)`,
    ),
    delete: db.prepare<[string]>(`DELETE FROM workspace WHERE workspace_id = ?`),
    get: db.prepare<[string], WorkspaceRow>(`SELECT * FROM workspace WHERE workspace_id = ?`),
    setPublished: db.prepare<[string, string]>(`UPDATE workspace SET published_at = ? WHERE workspace_id = ?`),
    insertPublication: db.prepare<[string, string]>(`INSERT INTO publication(workspace_id, published_at) VALUES (?, ?)`),
    setArchived: db.prepare<[string, string]>(`UPDATE workspace SET state = 'archived', archived_at = ? WHERE workspace_id = ?`),
    list: db.prepare<[], WorkspaceRow>(`SELECT * FROM workspace ORDER BY created_at, workspace_id`),
    countPublications: db.prepare<[], number>(`SELECT COUNT(*) FROM publication`).pluck(),
  };
}

/** The ops whose receipts commit in the same transaction as their effect: reconciliation may say not_applied for them. */
export const ATOMIC_OPS = ['create_workspace', 'delete_workspace', 'publish_workspace', 'archive_workspace'] as const;

export class WorkspaceStore {
  readonly receipts: ReceiptTable;
  private readonly db: Database.Database;
  private readonly sql: ReturnType<typeof prepare>;
  /** Runs a function in an IMMEDIATE transaction (the write lock up front, so no upgrade can deadlock). */
  private readonly inTransaction: <T>(fn: () => T) => T;

  constructor(file: string) {
    this.db = new Database(file, { timeout: 5000 });
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS workspace (
        workspace_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        owner TEXT NOT NULL,
        token_sha256 TEXT,
        state TEXT NOT NULL CHECK (state IN ('active', 'archived')),
        created_at TEXT NOT NULL,
        published_at TEXT,
        archived_at TEXT
      );
      CREATE TABLE IF NOT EXISTS publication (
        publication_id INTEGER PRIMARY KEY AUTOINCREMENT,
        workspace_id TEXT NOT NULL,
        published_at TEXT NOT NULL
      );`);
    this.receipts = new ReceiptTable(this.db, ATOMIC_OPS);
    this.sql = prepare(this.db);
    const tx = this.db.transaction((fn: () => unknown) => fn());
    this.inTransaction = <T>(fn: () => T) => tx.immediate(fn) as T;
  }

  /**
   * Applies an effect and its receipt in one transaction, and a keyed (final) step at most once:
   * a key found among the receipts is answered from its receipt. Without a receipt (a direct call),
   * only the effect runs.
   */
  private applied<T>(receipt: ReceiptDraft | null, apply: () => T): T {
    return this.inTransaction(() => {
      const key = receipt?.idempotencyKey ?? null;
      if (key !== null) {
        const prior = this.receipts.byKey(key);
        if (prior) return prior.output as T;
      }
      const out = apply();
      if (receipt) this.receipts.recordWith(receipt, out);
      return out;
    });
  }

  create(name: string, owner: string, accessToken: string | null, receipt: ReceiptDraft | null = null): { workspaceId: string } {
    return this.applied(receipt, () => {
      if (this.sql.activeByName.get(name)) throw new Error(`a workspace named '${name}' already exists`);
      const workspaceId = `ws-${crypto.randomUUID()}`;
      const tokenHash = accessToken === null ? null : crypto.createHash('sha256').update(accessToken).digest('hex');
      this.sql.insert.run(workspaceId, name, owner, tokenHash, new Date().toISOString());
      return { workspaceId };
    });
  }

  /** Idempotent, as an undo must be: deleting a workspace that is gone reports deleted: false. */
  delete(workspaceId: string, receipt: ReceiptDraft | null = null): { workspaceId: string; deleted: boolean } {
    return this.applied(receipt, () => {
      const r = this.sql.delete.run(workspaceId);
      return { workspaceId, deleted: r.changes === 1 };
    });
  }

  get(workspaceId: string): Workspace {
    const row = this.sql.get.get(workspaceId);
    if (!row) throw new Error(`no workspace '${workspaceId}'`);
    return fromRow(row);
  }

  publish(workspaceId: string, receipt: ReceiptDraft | null): { workspaceId: string; publicationId: number; publishedAt: string } {
    return this.applied(receipt, () => {
      const ws = this.get(workspaceId);
      if (ws.state !== 'active') throw new Error(`workspace '${workspaceId}' is ${ws.state}; only an active workspace is published`);
      const publishedAt = new Date().toISOString();
      this.sql.setPublished.run(publishedAt, workspaceId);
      const r = this.sql.insertPublication.run(workspaceId, publishedAt);
      return { workspaceId, publicationId: Number(r.lastInsertRowid), publishedAt };
    });
  }

  archive(workspaceId: string, receipt: ReceiptDraft | null): { workspaceId: string; archivedAt: string } {
    return this.applied(receipt, () => {
      const ws = this.get(workspaceId);
      if (ws.state !== 'active') throw new Error(`workspace '${workspaceId}' is already ${ws.state}`);
      const archivedAt = new Date().toISOString();
      this.sql.setArchived.run(archivedAt, workspaceId);
      return { workspaceId, archivedAt };
    });
  }

  list(): { workspaces: Workspace[]; publications: number } {
    return { workspaces: this.sql.list.all().map(fromRow), publications: this.sql.countPublications.get() ?? 0 };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
