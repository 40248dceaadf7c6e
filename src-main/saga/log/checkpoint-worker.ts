// The checkpoint worker: a worker thread with its own connection to the log's WAL file. It copies
// the WAL back into the database (passive checkpoints, which never block main's writers) and hands
// free pages back (incremental_vacuum in small steps), so none of that runs on the main thread.
// It never truncates the -wal while main may write: both connections bound it instead (wal-size.ts).
// Bundled as dist/log-worker.js; run from this file under tsx.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { BudgetedBatch } from './budgeted-batch';
import { walSizeLimitPragma } from './wal-size';
import { type CheckpointResult, CheckpointWorkerData, type FromWorker, ToWorker } from './checkpoint-protocol';

const port = parentPort;
if (!port) throw new Error('checkpoint-worker.ts runs only as a worker thread (see checkpointer.ts)');
const send = (m: FromWorker) => port.postMessage(m);
const data = CheckpointWorkerData.parse(workerData);

let db: Database.Database;
try {
  db = new Database(data.file, { fileMustExist: true, timeout: data.busyTimeoutMs });
  const mode = db.pragma('journal_mode', { simple: true });
  // On a rollback-journal file a checkpoint does nothing, and main's auto-checkpoint must stay on.
  if (mode !== 'wal') throw new Error(`the log is in journal mode '${String(mode)}', not WAL`);
  db.pragma('synchronous = NORMAL');
  // Its vacuum steps are writes, so it too may be the one that starts the WAL over (see wal-size.ts).
  db.pragma(walSizeLimitPragma(data.walSizeLimitBytes));
} catch (err) {
  send({ type: 'failed', message: `the checkpoint worker could not open ${data.file}: ${(err as Error).message}` });
  process.exit(1);
}

function checkpoint(mode: 'PASSIVE' | 'TRUNCATE'): CheckpointResult {
  const [row] = db.pragma(`wal_checkpoint(${mode})`) as { busy: number; log: number; checkpointed: number }[];
  return { busy: row!.busy !== 0, walFrames: row!.log, copiedFrames: row!.checkpointed };
}

/** A passive checkpoint: it takes no lock a writer needs, so main's commits never wait behind it. */
function tick(): void {
  checkpoint('PASSIVE');
}

let stopping = false;
let cancelled = false;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Every free page handed back, in steps that each hold the write lock about the step budget, with a
 * pause as long as the step between them so a writer on main gets in rather than waiting behind a run.
 */
async function vacuum(): Promise<number> {
  const steps = new BudgetedBatch(data.vacuumStepBudgetMs, 256, 8);
  let free = db.pragma('freelist_count', { simple: true }) as number;
  let released = 0;
  cancelled = false;
  while (!stopping && !cancelled && free > 0) {
    const t0 = performance.now();
    db.pragma(`incremental_vacuum(${steps.size})`);
    const left = db.pragma('freelist_count', { simple: true }) as number;
    const ms = performance.now() - t0;
    steps.record(free - left, ms);
    if (left >= free) break;
    released += free - left;
    free = left;
    await pause(Math.max(1, Math.ceil(ms)));
  }
  return released;
}

const timer = setInterval(() => {
  try {
    tick();
  } catch (err) {
    send({ type: 'failed', message: `the checkpoint worker's checkpoint failed: ${(err as Error).message}` });
    process.exit(1);
  }
}, data.intervalMs);

port.on('message', (raw: unknown) => {
  const parsed = ToWorker.safeParse(raw);
  if (!parsed.success) return;
  const m = parsed.data;
  if (m.type === 'cancel-vacuum') {
    cancelled = true;
    return;
  }
  const reply = async () => {
    try {
      if (m.type === 'checkpoint') send({ type: 'checkpointed', id: m.id, result: checkpoint(m.mode) });
      else if (m.type === 'vacuum') send({ type: 'vacuumed', id: m.id, pages: await vacuum() });
      else {
        stopping = true;
        clearInterval(timer);
        // Folded back before the connection closes, so the file main closes last is already whole.
        const result = checkpoint('TRUNCATE');
        db.close();
        send({ type: 'stopped', id: m.id, result });
        port.close();
      }
    } catch (err) {
      send({ type: 'error', id: m.id, message: (err as Error).message });
    }
  };
  void reply();
});

send({ type: 'ready' });
