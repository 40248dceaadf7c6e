// The e2e world: a profile directory and an app that specs launch, kill and relaunch on it.
// Two drivers, one set of specs:
//   headless  the `launcher-saga headless` bin started as a child (that process IS main),
//             the panel and the launcher page opened in Chromium;
//   electron  the Electron app through Playwright's _electron.launch, when a binary and a display exist.
// Fixtures own every process they start: teardown SIGKILLs whatever a spec left alive.
// Build first: `node scripts/build.mjs` (npm run test:e2e does).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, type ElectronApplication, type Page, test as base } from '@playwright/test';
import { type ApiResult, errorResponse } from '../src-shared/ipc-contract';
import { type RunSagaRequest, type RunSagaResponse, createLauncherApi } from '../src-shared/launcher-contract';
import type { DiagDocument } from '../src-main/cli/diag';
import { serviceNameOf } from '../src-main/electron/utility-peer';
import { LOG_FILE_NAME } from '../src-main/saga/log/saga-log';
import { electronToRun, spawnArgs } from './support/electron-binary';
import { LAUNCH_MARKER_ENV, type MarkedProcess, livePeersOf, peerPid, peersLeftAfter } from './support/processes';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli', 'launcher-saga.js');
const CRASH_ENV = 'LAUNCHER_CRASH_AT';
/** Boot is lock + open + recovery + two peers: well under a second here; the bound is for slow CI. */
const LAUNCH_TIMEOUT_MS = 20_000;
/** Peers poll for their parent every 250 ms and exit on a closed channel at once. */
export const PEER_EXIT_BOUND_MS = 3_000;

export type Driver = 'headless' | 'electron';

export interface LaunchOptions {
  /** LAUNCHER_CRASH_AT for this launch: `<saga>:<stepIndex>:<point>`. */
  crashAt?: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Workload {
  /** Sagas answered so far (any outcome). */
  readonly finished: number;
  /** Resolves once `n` sagas have been answered. */
  reached(n: number): Promise<void>;
}

export interface RunningApp {
  readonly driver: Driver;
  /** The user-data dir this launch runs on. */
  readonly profileDir: string;
  /** The main process. */
  readonly pid: number;
  /** The saga panel, loaded and showing its list. */
  panel(): Promise<Page>;
  /** The launcher page, whose buttons run sagas. */
  launcher(): Promise<Page>;
  /** The launcher's `launcher:run-saga` channel, as the launcher page calls it. Never rejects. */
  runSaga(request: RunSagaRequest): Promise<ApiResult<RunSagaResponse>>;
  /** Many sagas at once through runSaga (open, then close what opened), until the app dies. */
  startWorkload(concurrency: number): Workload;
  /** Live peer processes (host, srv, their sessions) of this launch. */
  livePeers(): MarkedProcess[];
  /** The live process of peer `name`, found from outside the app (/proc, or Electron's process metrics). */
  peerPid(name: 'host' | 'srv'): Promise<number | null>;
  /** SIGKILL main alone (its peers must notice by themselves) and wait until it is gone. */
  kill(): Promise<Exit>;
  /** Resolves when main has exited, however it ended. */
  exited(): Promise<Exit>;
  /** Peers still alive after main died, polled until none is left or the bound passes. */
  peersLeft(): Promise<MarkedProcess[]>;
  /** Orderly stop (SIGTERM / app quit); resolves with the exit. */
  stop(): Promise<Exit>;
}

export interface StandaloneRun extends Exit {
  output: string;
}

export interface AppLauncher {
  launch(options?: LaunchOptions): Promise<RunningApp>;
  /** Starts one more instance on the profile and waits for it to end by itself. */
  launchUntilExit(timeoutMs?: number): Promise<StandaloneRun>;
}

interface Fixtures {
  driver: Driver;
  profileDir: string;
  app: AppLauncher;
  /** `launcher-saga diag --db <profile>/launcher-sagas.db --json`, parsed. */
  diag: () => Promise<DiagDocument>;
  electronGate: void;
}

interface WorkerFixtures {
  lazyBrowser: () => Promise<Browser>;
}

const execFileAsync = promisify(execFile);

/** The environment of one launch: the marker its peers inherit, and the crash point or none. */
function launchEnv(marker: string, options: LaunchOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, [LAUNCH_MARKER_ENV]: marker };
  delete env[CRASH_ENV];
  delete env.ELECTRON_RUN_AS_NODE;
  if (options.crashAt) env[CRASH_ENV] = options.crashAt;
  return env;
}

function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function startWorkload(runSaga: RunningApp['runSaga'], concurrency: number): Workload {
  const tag = crypto.randomBytes(3).toString('hex');
  let finished = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const count = () => {
    finished++;
    for (const w of waiters.filter((w) => w.n <= finished)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const worker = async (w: number) => {
    // Every third open fails its last step, so compensations are under way when the kill lands.
    // Closing what opened keeps the number of live session processes at most `concurrency`.
    for (let n = 0; ; n++) {
      const workspace = `w${tag}-${w}-${n}`;
      const opened = await runSaga({ saga: 'open_workspace', workspace, failLastStep: n % 3 === 2 });
      if (!opened.ok) return; // the app is gone (or refuses): the workload ends with it
      count();
      if (opened.data.state !== 'completed') continue;
      const closed = await runSaga({ saga: 'close_workspace', workspace });
      if (!closed.ok) return;
      count();
    }
  };
  for (let w = 0; w < concurrency; w++) void worker(w);
  return {
    get finished() {
      return finished;
    },
    reached: (n) => (finished >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
  };
}

// ---- headless driver --------------------------------------------------------------------------

async function launchHeadless(profileDir: string, options: LaunchOptions, lazyBrowser: () => Promise<Browser>, track: Tracker): Promise<RunningApp> {
  const marker = crypto.randomUUID();
  const child = spawn(process.execPath, [CLI, 'headless', '--user-data-dir', profileDir, '--port', '0'], {
    env: launchEnv(marker, options),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = exitOf(child);
  track.processes.push({ pid: child.pid!, group: false, marker, exit });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`headless printed no panel line within ${LAUNCH_TIMEOUT_MS} ms: ${stderr}`)), LAUNCH_TIMEOUT_MS);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^panel: (http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\/)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exit.then((e) => {
      clearTimeout(timer);
      reject(new Error(`headless exited (${e.signal ?? e.code}) before printing its panel line: ${stderr.trim()}`));
    });
  });
  const token = new URL(url).pathname.split('/')[1]!;
  const origin = new URL(url).origin;
  const api = createLauncherApi(async (channel, request) => {
    const res = await fetch(`${origin}/api/${channel}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(request),
    });
    return res.json();
  });
  let context: BrowserContext | null = null;
  const open = async (page: string): Promise<Page> => {
    context ??= await (await lazyBrowser()).newContext({ viewport: { width: 1400, height: 860 } });
    track.contexts.push(context);
    const p = await context.newPage();
    await p.goto(`${url}${page}`);
    return p;
  };
  const runSaga = (request: RunSagaRequest) => api.runSaga(request);
  return {
    driver: 'headless',
    profileDir,
    pid: child.pid!,
    panel: () => open(''),
    launcher: () => open('launcher.html'),
    runSaga,
    startWorkload: (concurrency) => startWorkload(runSaga, concurrency),
    livePeers: () => livePeersOf(marker, child.pid!),
    peerPid: async (name) => peerPid(marker, child.pid!, name),
    kill: async () => {
      // The bin process is main itself: this is a crash of main, nothing in between.
      killQuietly(child.pid!);
      return exit;
    },
    exited: () => exit,
    peersLeft: async () => {
      await exit;
      return peersLeftAfter(marker, child.pid!, PEER_EXIT_BOUND_MS);
    },
    stop: async () => {
      await context?.close();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exit;
    },
  };
}

// ---- electron driver --------------------------------------------------------------------------

async function launchElectron(
  binary: string,
  electron: typeof import('playwright-core')['_electron'],
  profileDir: string,
  options: LaunchOptions,
  track: Tracker,
): Promise<RunningApp> {
  const marker = crypto.randomUUID();
  const electronApp: ElectronApplication = await electron.launch({
    executablePath: binary,
    args: [ROOT, '--user-data-dir', profileDir, '--saga-panel'],
    env: launchEnv(marker, options) as Record<string, string>,
    timeout: LAUNCH_TIMEOUT_MS,
  });
  const child = electronApp.process();
  const pid = child.pid!;
  const exit = exitOf(child);
  track.processes.push({ pid, group: true, marker, exit });
  const windowFor = async (page: string): Promise<Page> => {
    const found = electronApp.windows().find((w) => w.url().endsWith(`/${page}`));
    const win = found ?? (await electronApp.waitForEvent('window', { predicate: (w) => w.url().endsWith(`/${page}`), timeout: LAUNCH_TIMEOUT_MS }));
    await win.waitForLoadState('domcontentloaded');
    return win;
  };
  const runSaga = async (request: RunSagaRequest): Promise<ApiResult<RunSagaResponse>> => {
    try {
      const win = await windowFor('launcher.html');
      return await win.evaluate((req) => (window as unknown as { sagaLauncher: { runSaga(r: unknown): Promise<ApiResult<RunSagaResponse>> } }).sagaLauncher.runSaga(req), request);
    } catch (err) {
      // The window went away with main: the same answer the HTTP transport gives a dead host.
      return errorResponse('internal', `the app did not answer: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  return {
    driver: 'electron',
    profileDir,
    pid,
    panel: () => windowFor('index.html'),
    launcher: () => windowFor('launcher.html'),
    runSaga,
    startWorkload: (concurrency) => startWorkload(runSaga, concurrency),
    livePeers: () => livePeersOf(marker, pid),
    // A utility process's command line does not name its entry; its metrics carry the serviceName main gave it.
    peerPid: (name) =>
      electronApp.evaluate(
        ({ app }, service) => app.getAppMetrics().find((m) => m.serviceName === service || m.name === service)?.pid ?? null,
        serviceNameOf(name),
      ),
    kill: async () => {
      // Main's pid only, as a crash of main: the utility peers must see their parent die (IPC
      // disconnect, parent-pid polling) by themselves. Teardown kills the rest of the group.
      killQuietly(pid);
      return exit;
    },
    exited: () => exit,
    peersLeft: async () => {
      await exit;
      return peersLeftAfter(marker, pid, PEER_EXIT_BOUND_MS);
    },
    stop: async () => {
      await electronApp.close().catch(() => {});
      return exit;
    },
  };
}

// ---- fixtures ---------------------------------------------------------------------------------

interface Tracker {
  processes: { pid: number; group: boolean; marker: string; exit: Promise<Exit> }[];
  contexts: BrowserContext[];
}

/** Anything a spec left running is killed, peers included, so no test leaks processes into the next. */
async function cleanUp(track: Tracker): Promise<string[]> {
  for (const c of new Set(track.contexts)) await c.close().catch(() => {});
  const leaked: string[] = [];
  for (const p of track.processes) {
    killQuietly(p.group ? -p.pid : p.pid);
    await p.exit;
    if (p.group) killQuietly(-p.pid);
    for (const peer of await peersLeftAfter(p.marker, p.pid, PEER_EXIT_BOUND_MS)) {
      leaked.push(`${peer.pid} ${peer.cmd}`);
      killQuietly(peer.pid);
    }
  }
  return leaked;
}

export const test = base.extend<Fixtures, WorkerFixtures>({
  driver: ['headless', { option: true }],

  lazyBrowser: [
    async ({ playwright, launchOptions }, use) => {
      const started: { browser: Promise<Browser> | null } = { browser: null };
      // Chromium starts only for a spec that opens a page, once per worker.
      await use(() => (started.browser ??= playwright.chromium.launch(launchOptions)));
      if (started.browser) await (await started.browser).close();
    },
    { scope: 'worker' },
  ],

  electronGate: [
    async ({ driver }, use, testInfo) => {
      if (driver === 'electron') {
        const { skip } = electronToRun();
        // A visible skip with its reason (no binary, no display), never a silent pass: the summary reporter prints it.
        testInfo.skip(skip !== null, skip ?? '');
      }
      await use();
    },
    { auto: true },
  ],

  profileDir: async ({}, use) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'launcher-e2e-'));
    await use(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  },

  app: async ({ driver, profileDir, lazyBrowser, playwright }, use) => {
    const track: Tracker = { processes: [], contexts: [] };
    const launcher: AppLauncher = {
      launch: async (options = {}) => {
        if (driver === 'headless') return launchHeadless(profileDir, options, lazyBrowser, track);
        const found = electronToRun();
        if (found.binary === null) throw new Error(found.skip);
        return launchElectron(found.binary, playwright._electron, profileDir, options, track);
      },
      launchUntilExit: async (timeoutMs = LAUNCH_TIMEOUT_MS) => {
        let cmd = process.execPath;
        let args = [CLI, 'headless', '--user-data-dir', profileDir, '--port', '0'];
        if (driver === 'electron') {
          const found = electronToRun();
          if (found.binary === null) throw new Error(found.skip);
          // Spawned here, not through Playwright, so the sandbox choice is ours to make (root needs it off).
          [cmd, args] = [found.binary, spawnArgs(['--user-data-dir', profileDir])];
        }
        const marker = crypto.randomUUID();
        const child = spawn(cmd, args, { env: launchEnv(marker, {}), stdio: ['ignore', 'pipe', 'pipe'], detached: driver === 'electron' });
        const exit = exitOf(child);
        track.processes.push({ pid: child.pid!, group: driver === 'electron', marker, exit });
        let output = '';
        child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
        child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
        let timer: NodeJS.Timeout | undefined;
        const result = await Promise.race([
          exit,
          new Promise<null>((resolve) => {
            timer = setTimeout(() => resolve(null), timeoutMs);
          }),
        ]);
        clearTimeout(timer);
        if (result === null) throw new Error(`the second instance was still running after ${timeoutMs} ms: ${output.trim()}`);
        // Streams can trail the exit event by a tick.
        await new Promise((r) => setImmediate(r));
        return { ...result, output: output.trim() };
      },
    };
    await use(launcher);
    const leaked = await cleanUp(track);
    if (leaked.length > 0) throw new Error(`peer processes outlived their app and were killed at teardown: ${leaked.join('; ')}`);
  },

  diag: async ({ profileDir }, use) => {
    await use(async () => {
      const { stdout } = await execFileAsync(process.execPath, [CLI, 'diag', '--db', path.join(profileDir, LOG_FILE_NAME), '--json', '--limit', '10000'], {
        maxBuffer: 64 * 1024 * 1024,
      });
      return JSON.parse(stdout) as DiagDocument;
    });
  },
});

export { expect } from '@playwright/test';
