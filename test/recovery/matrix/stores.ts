// What the targets really hold, read straight from their files and processes (never through the
// subsystem): srv's workspaces and receipts, host's receipts and live session processes.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { WORKSPACE_STORE_FILE } from '../../../src-main/workspace-app/workspace-store';
import { liveProcessesMarked } from '../processes';

export const HOST_RECEIPTS_FILE = 'host-receipts.db';

export interface StoredReceipt {
  op: string;
  outcome: 'succeeded' | 'failed';
  durability: 'atomic' | 'after_effect';
  outputJson: string | null;
}

export interface StoredWorkspace {
  workspaceId: string;
  name: string;
  state: 'active' | 'archived';
  publications: number;
}

function readDb<T>(file: string, read: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** The receipts a peer's own store holds for one step (host's file, or the table inside srv's store). */
export function receiptsFor(dir: string, target: 'host' | 'srv', sagaId: number, stepIndex: number): StoredReceipt[] {
  const file = path.join(dir, target === 'srv' ? WORKSPACE_STORE_FILE : HOST_RECEIPTS_FILE);
  if (!fs.existsSync(file)) return [];
  return readDb(file, (db) =>
    db
      .prepare(`SELECT op, outcome, durability, output_json AS outputJson FROM peer_receipt WHERE saga_id = ? AND step_index = ? ORDER BY attempt`)
      .all(sagaId, stepIndex) as StoredReceipt[],
  );
}

export function workspaces(dir: string): StoredWorkspace[] {
  return readDb(path.join(dir, WORKSPACE_STORE_FILE), (db) =>
    db
      .prepare(
        `SELECT w.workspace_id AS workspaceId, w.name, w.state, (SELECT COUNT(*) FROM publication p WHERE p.workspace_id = w.workspace_id) AS publications
         FROM workspace w ORDER BY w.workspace_id`,
      )
      .all() as StoredWorkspace[],
  );
}

/** Every row of every table in the peers' stores, to show a later launch changed none of them. */
export function dumpPeerStores(dir: string): string {
  const dump = (file: string) =>
    fs.existsSync(file)
      ? readDb(file, (db) => {
          const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[];
          return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}"`).raw().all()]));
        })
      : null;
  return JSON.stringify({ srv: dump(path.join(dir, WORKSPACE_STORE_FILE)), host: dump(path.join(dir, HOST_RECEIPTS_FILE)) });
}

/** host's live session processes among those carrying `marker` (a forked session inherits host's environment). */
export function liveSessions(marker: string): number[] {
  return liveProcessesMarked(marker).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('session-process');
    } catch {
      return false;
    }
  });
}
