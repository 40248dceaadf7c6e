// What the OS says about an app's processes, read from /proc. Every launch carries its own
// environment marker, which its peers and their session processes inherit, so "no peer
// outlived main" is checked by marker rather than by pids that the kernel may reuse.
import fs from 'node:fs';

/** The variable the fixture sets on each launch; its value is unique to that launch. */
export const LAUNCH_MARKER_ENV = 'LAUNCHER_E2E_LAUNCH';

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'latin1');
  } catch {
    // Gone between readdir and read, or not ours to read.
    return null;
  }
}

/** Whether pid is a live process; a zombie has exited and only waits for its parent to reap it. */
export function isAlive(pid: number): boolean {
  const stat = readOrNull(`/proc/${pid}/stat`);
  if (stat === null) return false;
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

export function commandLine(pid: number): string {
  return (readOrNull(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim();
}

/**
 * Chromium's own helpers (renderer, GPU, network service) under Electron carry the marker
 * too; they are not peers. An Electron peer is a utility process running Node.
 */
function isBrowserHelper(cmd: string): boolean {
  return /--type=/.test(cmd) && !/node\.mojom\.NodeService/.test(cmd);
}

export interface MarkedProcess {
  pid: number;
  cmd: string;
}

/** Live processes of the launch `marker` that are main's peers or their children (not main itself). */
export function livePeersOf(marker: string, mainPid: number): MarkedProcess[] {
  const needle = Buffer.from(`${LAUNCH_MARKER_ENV}=${marker}\0`);
  const out: MarkedProcess[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === mainPid) continue;
    let env: Buffer;
    try {
      env = fs.readFileSync(`/proc/${entry}/environ`);
    } catch {
      continue;
    }
    if (!env.includes(needle) || !isAlive(pid)) continue;
    const cmd = commandLine(pid);
    if (!isBrowserHelper(cmd)) out.push({ pid, cmd });
  }
  return out;
}

/** Polls until none of the launch's peers is alive or `timeoutMs` passes; returns the survivors. */
export async function peersLeftAfter(marker: string, mainPid: number, timeoutMs: number): Promise<MarkedProcess[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const live = livePeersOf(marker, mainPid);
    if (live.length === 0 || Date.now() >= until) return live;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The pid of peer `name` (host or srv) among the launch's live processes. */
export function peerPid(marker: string, mainPid: number, name: 'host' | 'srv'): number | null {
  const byEntry = new RegExp(`peers/${name}\\.js\\b`);
  return livePeersOf(marker, mainPid).find((p) => byEntry.test(p.cmd))?.pid ?? null;
}
