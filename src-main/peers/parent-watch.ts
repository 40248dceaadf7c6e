// A child process must not outlive main: when main is SIGKILLed nobody tells the child,
// so it watches for itself (channel disconnect first, the parent's pid as a fallback).

import { PEER_ENV } from './peer-env';

/** Environment variable a peer reads to know which process it must not outlive. */
export const PARENT_PID_ENV = PEER_ENV.parentPid;

export function parentPidFromEnv(envName: string): number {
  const v = Number(process.env[envName]);
  return Number.isInteger(v) && v > 1 ? v : process.ppid;
}

export function parentIsAlive(parentPid: number): boolean {
  // Re-parenting (to init or a subreaper) means the parent died even if its pid got reused.
  if (process.ppid !== parentPid) return false;
  try {
    process.kill(parentPid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Calls `onGone` once when the parent goes away; polls every `intervalMs` without keeping the process alive. */
export function watchParent(parentPid: number, onGone: (why: string) => void, intervalMs = 250): void {
  let fired = false;
  const fire = (why: string) => {
    if (fired) return;
    fired = true;
    onGone(why);
  };
  process.on('disconnect', () => fire('the channel to the parent closed'));
  const timer = setInterval(() => {
    if (!parentIsAlive(parentPid)) fire(`parent process ${parentPid} is gone`);
  }, intervalMs);
  timer.unref();
}
