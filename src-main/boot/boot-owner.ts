// The saga log names the launch that owns it: pid, process start time and the inode of the
// launcher.lock it holds, written before recovery runs. A second launch that got past the lock
// file (someone deleted launcher.lock while the app ran) finds the first one recorded and alive,
// and stops before recovery could mark the first one's live sagas "outcome unknown".
import type { BootOwner, SagaLog } from '../saga/log/saga-log';
import { currentProcessIdentity, isProcessAlive } from './process-identity';
import { type ProfileLock, ProfileLockedError } from './profile-lock';

export interface LogOwnerClaim {
  bootId: string;
  lock: ProfileLock;
}

/** Launches of this process that claimed a log, with the lock that proves they still run. */
const claimedHere = new Map<string, ProfileLock>();

/** Whether the launch a record names may still be running and writing to the log. */
function stillRuns(owner: BootOwner, claim: LogOwnerClaim): boolean {
  // The lock file we hold now is the one it held: it cannot hold it any more, so it ended.
  if (claim.lock.held && owner.lockFileId !== null && owner.lockFileId === claim.lock.fileId) return false;
  const self = currentProcessIdentity();
  if (owner.pid === self.pid && owner.startTicks === self.startTicks) return claimedHere.get(owner.bootId)?.held === true;
  return isProcessAlive(owner);
}

function refuse(userDataDir: string, claim: LogOwnerClaim, live: readonly BootOwner[]): void {
  const first = live[0];
  if (!first) return;
  throw new ProfileLockedError(
    userDataDir,
    first.pid,
    `recorded in the saga log as its running owner (boot ${first.bootId}) although ${claim.lock.file} was deleted or replaced`,
  );
}

/**
 * Throws ProfileLockedError naming a launch recorded in the log that still runs; writes nothing.
 * Call it once the log is open, before recovery.
 */
export function assertNoLiveOwner(log: SagaLog, userDataDir: string, claim: LogOwnerClaim): void {
  refuse(userDataDir, claim, log.bootOwners().filter((o) => o.bootId !== claim.bootId && stillRuns(o, claim)));
}

/**
 * Records this launch as the log's owner, or throws ProfileLockedError naming a launch that is
 * recorded there and still runs (nothing is written then). Runs inside a write transaction.
 */
export function claimLogOwnership(log: SagaLog, userDataDir: string, claim: LogOwnerClaim): void {
  const self: BootOwner = { bootId: claim.bootId, ...currentProcessIdentity(), lockFileId: claim.lock.fileId };
  refuse(userDataDir, claim, log.claimOwnership(self, (owner) => stillRuns(owner, claim)));
  for (const [bootId, lock] of claimedHere) if (!lock.held) claimedHere.delete(bootId);
  claimedHere.set(claim.bootId, claim.lock);
}

/**
 * What a launch does once its log is open: refuses now if a recorded owner still runs, and records
 * itself as the owner in recovery's own transaction (checking again there, so two launches racing
 * past a deleted lock file cannot both get through), so a launch that fails writes nothing.
 */
export function claimLogAtRecovery(log: SagaLog, userDataDir: string, claim: LogOwnerClaim): void {
  assertNoLiveOwner(log, userDataDir, claim);
  if (log.writable) log.runWithRecovery(() => claimLogOwnership(log, userDataDir, claim));
}
