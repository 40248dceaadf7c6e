// Finds live processes by an environment marker, so a test can prove no peer (or a peer's own
// child) outlived the main process it belonged to, whatever their pids.
import fs from 'node:fs';

export function liveProcessesMarked(marker: string): number[] {
  const needle = Buffer.from(`${marker}\0`);
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = fs.readFileSync(`/proc/${entry}/environ`);
      if (!env.includes(needle)) continue;
      // A zombie has exited; only its parent has yet to reap it.
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state !== 'Z' && state !== 'X') out.push(Number(entry));
    } catch {
      // Gone between readdir and read, or not ours to read.
    }
  }
  return out;
}

/** Polls until no marked process is left or `timeoutMs` passes; returns the survivors. */
export async function waitForNoneMarked(marker: string, timeoutMs: number): Promise<number[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const live = liveProcessesMarked(marker);
    if (live.length === 0 || Date.now() >= until) return live;
    await new Promise((r) => setTimeout(r, 50));
  }
}
