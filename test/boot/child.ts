// Real child processes for the boot tests: start one, wait for a line, kill it, wait for its exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { after } from 'node:test';

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** Resolves with the first stdout line matching, rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
}

export function startTs(script: string, args: string[], env: Record<string, string> = {}): Child {
  return startProcess(process.execPath, ['--import', 'tsx', script, ...args], env);
}

/** Any command as a Child; `uid` runs it as that user (and group), `cwd` from that folder. */
export function startProcess(command: string, args: string[], env: Record<string, string> = {}, uid?: number, cwd?: string): Child {
  const proc = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
    ...(uid === undefined ? {} : { uid, gid: uid }),
    ...(cwd === undefined ? {} : { cwd }),
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // A failing test must not leave its child running.
  after(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  return {
    proc,
    pid: proc.pid!,
    exited,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = out.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) {
            proc.stdout!.off('data', check);
            resolve(line);
          }
        };
        proc.stdout!.on('data', check);
        check();
        void exited.then(({ code, signal }) => {
          check();
          reject(new Error(`child exited (code ${code}, signal ${signal}) before printing ${pattern}; stdout: ${out} stderr: ${err}`));
        });
      });
    },
  };
}

export async function killHard(child: Child): Promise<void> {
  child.proc.kill('SIGKILL');
  await child.exited;
}
