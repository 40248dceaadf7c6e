// srv's own store: the workspaces it manages and the idempotency keys it has applied, in one
// SQLite file so a final step's effect and its key commit in the same transaction.
import crypto from 'node:crypto';
import Database from 'better-sqlite3';
import type { KeyStore } from '../peers/peer-runtime';

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

export class WorkspaceStore implements KeyStore {
  private readonly db: Database.Database;

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
  }

  lookup(key: string): { output: unknown } | undefined {
    const row = this.db.prepare(`SELECT output_json FROM applied_key WHERE key = ?`).get(key) as
      | { output_json: string }
      | undefined;
    return row ? { output: JSON.parse(row.output_json) } : undefined;
  }

  record(key: string, op: string, output: unknown): void {
    this.db
      .prepare(`INSERT OR IGNORE INTO applied_key(key, op, output_json, applied_at) VALUES (?, ?, ?, ?)`)
      .run(key, op, JSON.stringify(output ?? null), new Date().toISOString());
  }

  /** Runs `apply` at most once per key: the effect and the key commit together or not at all. */
  private once<T>(key: string | null, op: string, apply: () => T): T {
    return this.db
      .transaction(() => {
        if (key !== null) {
          const prior = this.lookup(key);
          if (prior) return prior.output as T;
        }
        const out = apply();
        if (key !== null) this.record(key, op, out);
        return out;
      })
      .immediate();
  }

  create(name: string, owner: string, accessToken: string | null): { workspaceId: string } {
    return this.db
      .transaction(() => {
        const taken = this.db.prepare(`SELECT workspace_id FROM workspace WHERE name = ? AND state = 'active'`).get(name);
        if (taken) throw new Error(`a workspace named '${name}' already exists`);
        const workspaceId = `ws-${crypto.randomUUID()}`;
        const tokenHash = accessToken === null ? null : crypto.createHash('sha256').update(accessToken).digest('hex');
        this.db
          .prepare(`INSERT INTO workspace(workspace_id, name, owner, token_sha256, state, created_at) VALUES (?, ?, ?, ?, 'active', ?)`)
          .run(workspaceId, name, owner, tokenHash, new Date().toISOString());
        return { workspaceId };
      })
      .immediate();
  }

  /** Idempotent, as an undo must be: deleting a workspace that is gone reports deleted: false. */
  delete(workspaceId: string): { workspaceId: string; deleted: boolean } {
    const r = this.db.prepare(`DELETE FROM workspace WHERE workspace_id = ?`).run(workspaceId);
    return { workspaceId, deleted: r.changes === 1 };
  }

  get(workspaceId: string): Workspace {
    const row = this.db.prepare(`SELECT * FROM workspace WHERE workspace_id = ?`).get(workspaceId) as WorkspaceRow | undefined;
    if (!row) throw new Error(`no workspace '${workspaceId}'`);
    return fromRow(row);
  }

  publish(workspaceId: string, key: string | null): { workspaceId: string; publicationId: number; publishedAt: string } {
    return this.once(key, 'publish_workspace', () => {
      const ws = this.get(workspaceId);
      if (ws.state !== 'active') throw new Error(`workspace '${workspaceId}' is ${ws.state}; only an active workspace is published`);
      const publishedAt = new Date().toISOString();
      this.db.prepare(`UPDATE workspace SET published_at = ? WHERE workspace_id = ?`).run(publishedAt, workspaceId);
      const r = this.db.prepare(`INSERT INTO publication(workspace_id, published_at) VALUES (?, ?)`).run(workspaceId, publishedAt);
      return { workspaceId, publicationId: Number(r.lastInsertRowid), publishedAt };
    });
  }

  archive(workspaceId: string, key: string | null): { workspaceId: string; archivedAt: string } {
    return this.once(key, 'archive_workspace', () => {
      const ws = this.get(workspaceId);
      if (ws.state !== 'active') throw new Error(`workspace '${workspaceId}' is already ${ws.state}`);
      const archivedAt = new Date().toISOString();
      this.db.prepare(`UPDATE workspace SET state = 'archived', archived_at = ? WHERE workspace_id = ?`).run(archivedAt, workspaceId);
      return { workspaceId, archivedAt };
    });
  }

  list(): { workspaces: Workspace[]; publications: number } {
    const rows = this.db.prepare(`SELECT * FROM workspace ORDER BY created_at, workspace_id`).all() as WorkspaceRow[];
    const publications = this.db.prepare(`SELECT COUNT(*) FROM publication`).pluck().get() as number;
    return { workspaces: rows.map(fromRow), publications };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
