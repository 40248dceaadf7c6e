// The orderly quit. Electron's before-quit is synchronous, so the first one is cancelled,
// in-flight sagas get a bounded grace to finish through shutdown(), and then the app quits
// for real. Whatever is still running after the grace is left to launch-time recovery:
// a hung peer must never keep the app from closing.

export interface QuitControllerOptions {
  /** Stops accepting new sagas, waits up to graceMs for running ones, closes peers and the log. */
  shutdown: (graceMs: number) => Promise<void>;
  /** Quits the app for real (app.quit()); called once shutdown settled or the deadline passed. */
  quit: () => void;
  graceMs: number;
  /** Extra time past the grace before we stop waiting on shutdown itself. */
  slackMs?: number;
  onError?: (err: unknown) => void;
}

export interface QuitController {
  /** The before-quit listener. */
  onBeforeQuit(event: { preventDefault(): void }): void;
  /** Settles when the shutdown this controller started is over (or immediately if none was). */
  readonly done: Promise<void>;
}

export function createQuitController(options: QuitControllerOptions): QuitController {
  let phase: 'running' | 'shutting_down' | 'ready_to_quit' = 'running';
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });

  const finish = (): void => {
    phase = 'ready_to_quit';
    resolveDone();
    options.quit();
  };

  return {
    done,
    onBeforeQuit(event) {
      if (phase === 'ready_to_quit') return;
      // Cancelled also while shutting down: a second Cmd+Q must not cut the grace short.
      event.preventDefault();
      if (phase === 'shutting_down') return;
      phase = 'shutting_down';
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.graceMs + (options.slackMs ?? 2000));
      });
      const shutdown = Promise.resolve()
        .then(() => options.shutdown(options.graceMs))
        .catch((err: unknown) => options.onError?.(err));
      void Promise.race([shutdown, deadline]).then(() => {
        clearTimeout(timer);
        finish();
      });
    },
  };
}
