// Electron's main process only warns on an unhandled rejection, so a throw while starting (in
// IPC registration, the menu, a window) would leave a windowless app holding its peers and the
// profile. The whole start runs through this guard: on any throw it shuts down what boot
// started, says why in one sentence (stderr and an error box) and exits 1.
// Electron's dialog and app.exit come in as plain callbacks, so it is tested under Node.

export const STARTUP_ERROR_TITLE = 'Launcher Saga could not start';
/** A shutdown that hangs (a wedged peer) must not keep a failed app alive. */
export const DEFAULT_FAILED_SHUTDOWN_DEADLINE_MS = 5000;

export interface StartupFailureIo {
  /** dialog.showErrorBox in Electron. */
  showError(title: string, message: string): void;
  /** One line for stderr, without the program prefix or newline. */
  writeError(line: string): void;
  /** app.exit in Electron. */
  exit(code: number): void;
  shutdownDeadlineMs?: number;
}

export interface StartupGuard {
  /** Boot has returned: from now on a failure first shuts it down (peers, log, profile lock). */
  booted(shutdown: (graceMs: number) => Promise<void>): void;
  /** Runs the start; true when it finished, false when it failed and exit(1) was called. */
  run(start: () => Promise<void>): Promise<boolean>;
}

/** The first line of an error's message, without a closing period, so it fits inside a sentence. */
function detailOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? '').trim().replace(/\.$/, '') || 'an unknown error';
}

/** Settles with null when shutdown finished, the reason when it failed or outlived the deadline. */
async function shutDownWithin(shutdown: (graceMs: number) => Promise<void>, deadlineMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`it did not finish within ${deadlineMs} ms`), deadlineMs);
  });
  // No saga can be worth waiting for: the app never finished starting.
  const done = Promise.resolve()
    .then(() => shutdown(0))
    .then(
      () => null,
      (err: unknown) => detailOf(err),
    );
  try {
    return await Promise.race([done, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export function createStartupGuard(io: StartupFailureIo): StartupGuard {
  let shutdown: ((graceMs: number) => Promise<void>) | null = null;
  let failed = false;

  const fail = async (err: unknown): Promise<void> => {
    if (failed) return;
    failed = true;
    // Shut down first, so nothing is left running however long the error box stays open.
    const shutdownProblem = shutdown ? await shutDownWithin(shutdown, io.shutdownDeadlineMs ?? DEFAULT_FAILED_SHUTDOWN_DEADLINE_MS) : null;
    let message = shutdown ? `the app stopped while starting, after its saga log was opened: ${detailOf(err)}` : detailOf(err);
    if (shutdownProblem !== null) message += `; shutting down also failed (${shutdownProblem})`;
    io.writeError(message);
    io.showError(STARTUP_ERROR_TITLE, message);
    io.exit(1);
  };

  return {
    booted(fn) {
      shutdown = fn;
    },
    async run(start) {
      try {
        await start();
        return true;
      } catch (err) {
        await fail(err);
        return false;
      }
    },
  };
}
