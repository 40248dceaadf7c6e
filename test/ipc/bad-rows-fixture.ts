// A log holding rows another tool wrote, which this build cannot read, for the views' tests.
import path from 'node:path';
import Database from 'better-sqlite3';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { runRecovery } from '../../src-main/saga/recovery';
import { tempDir } from '../helpers/temp-dir';
import { writeCompleted, writeInterrupted } from './panel-fixtures';

/** A log with three sagas, the middle one in a state outside the contract, and two recovery reports, the newest malformed. */
export function logWithBadRows(): { file: string; good: number[]; bad: number } {
  const file = path.join(tempDir('bad-rows-'), LOG_FILE_NAME);
  const log = SagaLog.open(file);
  writeInterrupted(log);
  runRecovery(log, { bootId: 'boot-older', movedAside: [] });
  const first = writeCompleted(log);
  const bad = writeCompleted(log);
  const last = writeCompleted(log);
  writeInterrupted(log);
  runRecovery(log, { bootId: 'boot-newest', movedAside: [] });
  log.close();
  // Another tool (or a newer build) wrote these: SQLite's CHECK would refuse them from us.
  const db = new Database(file);
  db.pragma('ignore_check_constraints = ON');
  db.prepare(`UPDATE launcher_saga SET state = 'paused' WHERE saga_id = ?`).run(bad);
  db.prepare(`UPDATE launcher_recovery_report SET marked_json = '{oops' WHERE boot_id = 'boot-newest'`).run();
  db.close();
  return { file, good: [last, first], bad };
}

