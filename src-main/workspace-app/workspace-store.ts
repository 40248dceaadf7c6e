// srv's own store: the workspaces it manages and the idempotency keys it has applied, in one
// SQLite file so a final step's effect and its key commit in the same transaction.
import crypto from 'node:crypto';
import Database from 'better-sqlite3';
import type { KeyStore } from '../index';

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
    lookupKey: db.prepare<[string], { output_json: string }>(`SELECT output_json FROM applied_key WHERE key = ?`),
    recordKey: db.prepare<[string, string, string, string]>(
      `INSERT OR IGNORE INTO applied_key(key, op, output_json, applied_at) VALUES (?, ?, ?, ?)`,
    ),
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

export class WorkspaceStore implements KeyStore {
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
      );
      CREATE TABLE IF NOT EXISTS applied_key (
        key TEXT PRIMARY KEY,
        op TEXT NOT NULL,
        output_json TEXT NOT NULL,
        applied_at TEXT NOT NULL
      );`);
    this.sql = prepare(this.db);
    const tx = this.db.transaction((fn: () => unknown) => fn());
    this.inTransaction = <T>(fn: () => T) => tx.immediate(fn) as T;
  }

  lookup(key: string): { output: unknown } | undefined {
    const row = this.sql.lookupKey.get(key);
    return row ? { output: JSON.parse(row.output_json) } : undefined;
  }

  record(key: string, op: string, output: unknown): void {
    this.sql.recordKey.run(key, op, JSON.stringify(output ?? null), new Date().toISOString());
  }

  /** Runs `apply` at most once per key: the effect and the key commit together or not at all. */
  private once<T>(key: string | null, op: string, apply: () => T): T {
    return this.inTransaction(() => {
      if (key !== null) {
        const prior = this.lookup(key);
        if (prior) return prior.output as T;
      }
      const out = apply();
      if (key !== null) this.record(key, op, out);
      return out;
    });
  }

  create(name: string, owner: string, accessToken: string | null): { workspaceId: string } {
    return this.inTransaction(() => {
      if (this.sql.activeByName.get(name)) throw new Error(`a workspace named '${name}' already exists`);
      const workspaceId = `ws-${crypto.randomUUID()}`;
      const tokenHash = accessToken === null ? null : crypto.createHash('sha256').update(accessToken).digest('hex');
      this.sql.insert.run(workspaceId, name, owner, tokenHash, new Date().toISOString());
      return { workspaceId };
    });
  }

  /** Idempotent, as an undo must be: deleting a workspace that is gone reports deleted: false. */
  delete(workspaceId: string): { workspaceId: string; deleted: boolean } {
    const r = this.sql.delete.run(workspaceId);
    return { workspaceId, deleted: r.changes === 1 };
  }

  get(workspaceId: string): Workspace {
    const row = this.sql.get.get(workspaceId);
    if (!row) throw new Error(`no workspace '${workspaceId}'`);
    return fromRow(row);
  }

  publish(workspaceId: string, key: string | null): { workspaceId: string; publicationId: number; publishedAt: string } {
    return this.once(key, 'publish_workspace', () => {
      const ws = this.get(workspaceId);
      if (ws.state !== 'active') throw new Error(`workspace '${workspaceId}' is ${ws.state}; only an active workspace is published`);
      const publishedAt = new Date().toISOString();
      this.sql.setPublished.run(publishedAt, workspaceId);
      const r = this.sql.insertPublication.run(workspaceId, publishedAt);
      return { workspaceId, publicationId: Number(r.lastInsertRowid), publishedAt };
    });
  }

  archive(workspaceId: string, key: string | null): { workspaceId: string; archivedAt: string } {
    return this.once(key, 'archive_workspace', () => {
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
