// A child process must not outlive main: when main is SIGKILLed nobody tells the child,
// so it watches for itself (channel disconnect first, the parent's pid as a fallback).

/** Environment variable a peer reads to know which process it must not outlive. */
export const PARENT_PID_ENV = 'LAUNCHER_PARENT_PID';

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

/** Blocks the whole event loop (a real hang, no CPU burnt) but still exits when the parent dies. */
export function hangUntilParentDies(parentPid: number): never {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    Atomics.wait(cell, 0, 0, 200);
    if (!parentIsAlive(parentPid)) process.exit(0);
  }
}
