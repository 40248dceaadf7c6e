// The size of a log holding 1,000 finished open_workspace sagas run through real host and srv
// peers, with where its bytes go (SQLite's dbstat). Part of the boot bench; runs alone with
// `node --import tsx bench/size-bench.ts` (after `node scripts/build.mjs`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runMany, startSagaSubsystem } from '../src-main/index';
import { workspaceApp } from '../src-main/workspace-app/app';
import { openWorkspace } from '../src-main/workspace-app/workspace-sagas';
import { waits } from './wait-monitor';

export interface SizeBreakdown {
  bytes: number;
  pageSize: number;
  /** Bytes of pages by table or index name (free pages and pointer maps under their own names). */
  byObject: Record<string, number>;
  /** Bytes of values per saga by `table.column`, as stored (text and blob lengths, integer widths), largest first. */
  perSagaByColumn: Record<string, number>;
}

/** SQLite's stored width of an integer (record format 4; 0 and 1 take no bytes). */
const INT_WIDTH = `CASE WHEN v IN (0, 1) THEN 0 WHEN v BETWEEN -128 AND 127 THEN 1 WHEN v BETWEEN -32768 AND 32767 THEN 2
  WHEN v BETWEEN -8388608 AND 8388607 THEN 3 WHEN v BETWEEN -2147483648 AND 2147483647 THEN 4 ELSE 6 END`;

/** What each column of the two saga tables holds per saga, so a goal missed says where the bytes are. */
function columnBytes(db: Database.Database): Record<string, number> {
  const sagas = Math.max(1, db.prepare(`SELECT COUNT(*) FROM launcher_saga`).pluck().get() as number);
  const out: [string, number][] = [];
  for (const table of ['launcher_saga', 'launcher_saga_step']) {
    for (const col of db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]) {
      const bytes = db
        .prepare(
          `SELECT COALESCE(SUM(CASE typeof(v) WHEN 'integer' THEN ${INT_WIDTH} WHEN 'real' THEN 8 WHEN 'null' THEN 0
             ELSE length(CAST(v AS BLOB)) END), 0) FROM (SELECT "${col}" AS v FROM ${table})`,
        )
        .pluck()
        .get() as number;
      if (bytes > 0) out.push([`${table}.${col}`, Math.round((bytes / sagas) * 10) / 10]);
    }
  }
  return Object.fromEntries(out.sort((a, b) => b[1] - a[1]));
}

/** Where the pages of a closed log go, measured with dbstat. */
export function sizeBreakdown(file: string): SizeBreakdown {
  const db = new Database(file, { readonly: true });
  try {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const rows = db.prepare(`SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC`).all() as {
      name: string;
      bytes: number;
    }[];
    const byObject: Record<string, number> = Object.fromEntries(rows.map((r) => [r.name, r.bytes]));
    const counted = rows.reduce((a, r) => a + r.bytes, 0);
    const bytes = fs.statSync(file).size;
    // dbstat lists b-tree pages only; the rest are free-list and pointer-map pages.
    if (bytes > counted) byObject['(free list, pointer maps)'] = bytes - counted;
    return { bytes, pageSize, byObject, perSagaByColumn: columnBytes(db) };
  } finally {
    db.close();
  }
}

export async function measureSize1000(dir: string, distDir: string): Promise<SizeBreakdown> {
  const sizeDir = path.join(dir, 'size-profile');
  fs.mkdirSync(sizeDir);
  const sizeFile = path.join(sizeDir, 'launcher-sagas.db');
  const app = workspaceApp({ peersDir: path.join(distDir, 'peers') });
  const engine = await waits.activity('launch: boot of an empty profile with real peers', 'launch', 'before anything is served', () =>
    startSagaSubsystem({ ...app.subsystem({ userDataDir: sizeDir }), userDataDir: sizeDir, retention: false }),
  );
  try {
    await runMany(1000, 8, async (i) => {
      const outcome = await engine.coordinator.run(openWorkspace, { name: `workspace-${i}`, owner: 'bench', accessToken: `token-${i}` });
      if (outcome.state !== 'completed') throw new Error(`open_workspace ended ${outcome.state}: ${outcome.failureReason}`);
      // A thousand live session processes would measure the machine's memory, not the log: each
      // session is stopped by asking host directly, which writes nothing to the log.
      const { sessionId } = outcome.outputs[1] as { sessionId: string };
      const { generation } = await engine.peers.ready('host');
      const stopped = await engine.peers.request('host', generation, {
        sagaId: outcome.sagaId,
        stepIndex: 1_000,
        command: { op: 'stop_session', sessionId },
        idempotencyKey: null,
        deadlineMs: 10_000,
      });
      if (!stopped.ok) throw new Error(`the bench could not stop session ${sessionId}: ${stopped.failure.message}`);
    });
  } finally {
    // Shutdown checkpoints the WAL into the file and closes it; on a failure it stops the peers too.
    await waits.activity('shutdown: the size profile, after 1,000 sagas', 'served', '', () => engine.shutdown(1000));
  }
  return waits.activity('size: dbstat over the closed file', 'excluded', 'bench glue: reading where the bytes go', () => sizeBreakdown(sizeFile));
}

if (process.argv[1] === import.meta.filename) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saga-size-'));
  measureSize1000(dir, path.resolve(import.meta.dirname, '..', 'dist'))
    .then((r) => {
      console.log(`boot.size_1000_sagas_bytes ${r.bytes} (page size ${r.pageSize})`);
      for (const [name, bytes] of Object.entries(r.byObject)) console.log(`  ${name.padEnd(36)} ${bytes}`);
      console.log('values per saga, by column (bytes as stored, before record headers and page space):');
      for (const [name, bytes] of Object.entries(r.perSagaByColumn)) console.log(`  ${name.padEnd(36)} ${bytes}`);
    })
    .finally(() => fs.rmSync(dir, { recursive: true, force: true }));
}
