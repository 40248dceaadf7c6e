// A profile as an operator finds it after a crash: completed workspace sagas over two days,
// a reviewed failed_compensation, and 8 sagas a crash interrupted (recovery marks them at the
// host's start). Written through SagaLog the way the engine writes.
import path from 'node:path';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { writeCompleted, writeFailedCompensation } from '../../test/ipc/panel-fixtures';

// Within retention's week, on whole hours: day one, day two, and the crash a day later.
export const DAY_MS = 86_400_000;
export const BASE = Math.floor(Date.now() / 3600_000) * 3600_000 - 3 * DAY_MS;
export const DAY1 = BASE;
export const DAY2 = BASE + DAY_MS;
export const CRASH_AT = BASE + 2 * DAY_MS;
export interface Profile {
  dir: string;
  /** Completed open/close_workspace sagas, oldest first; [i] ran for workspace ws-i. */
  completed: number[];
  reviewed: number;
  /** What the crash left, oldest first; recovery marks them at the host's start. */
  interrupted: number[];
}

/** 120 completed sagas over two days, one reviewed failed_compensation, then 8 a crash interrupted. */
export function writeProfile(dir: string, completedCount = 120): Profile {
  let now = DAY1;
  const log = SagaLog.open(path.join(dir, LOG_FILE_NAME), { clock: () => new Date(now) });
  const completed: number[] = [];
  for (let i = 0; i < completedCount; i++) {
    now = (i < completedCount / 2 ? DAY1 : DAY2) + i * 60_000;
    completed.push(writeCompleted(log, i % 2 ? 'close_workspace' : 'open_workspace', { name: `ws-${i}`, owner: i % 3 ? 'ada' : 'grace' }));
  }
  now = DAY2 + 3 * 3600_000;
  const reviewed = writeFailedCompensation(log, 'move_files');
  log.markReviewed(reviewed, 'tester', 'checked by hand');
  const interrupted: number[] = [];
  for (let k = 0; k < 8; k++) {
    now = CRASH_AT + k * 1000;
    const id = log.startSaga({
      name: 'open_workspace',
      inputJson: JSON.stringify({ name: `crash-${k}`, owner: 'ada' }),
      plannedSteps: 4,
      bootId: 'boot-crashed',
    });
    log.startStep({ sagaId: id, stepIndex: 0, name: 'create_workspace', target: 'srv', kind: 'compensatable', cmdJson: '{"op":"create"}', peerGeneration: 1 });
    now += 300;
    log.finishStep(id, 0, '{"workspaceId":"w"}');
    log.startStep({ sagaId: id, stepIndex: 1, name: 'start_session', target: 'host', kind: 'compensatable', cmdJson: '{"op":"start"}', peerGeneration: 1 });
    interrupted.push(id);
  }
  log.close();
  return { dir, completed, reviewed, interrupted };
}

