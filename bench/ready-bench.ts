// boot.time_to_ready_ms: from spawning `launcher-saga headless` to its `panel:` line on stdout, on an
// empty profile and on a profile whose log is the large one (1,000 interrupted sagas), a fresh copy
// per launch. The host's LAUNCHER_BOOT_TIMING=1 line says where the time went.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { BenchContext } from './log-bench';
import { median, round } from './stats';

interface Launch {
  ms: number;
  /** Each mark of the host's timing line, in ms since its process started. */
  marks: Map<string, number>;
}

function launchOnce(distDir: string, userDataDir: string): Promise<Launch> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(distDir, 'cli', 'launcher-saga.js'), 'headless', '--user-data-dir', userDataDir, '--port', '0'], {
      env: { ...process.env, LAUNCHER_BOOT_TIMING: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let ms: number | null = null;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (ms === null && /^panel: /m.test(out)) ms = performance.now() - t0;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      // The timing line follows the panel line: once it is there, the launch is measured; stop it in order.
      if (ms !== null && /boot timing/.test(err)) child.kill('SIGTERM');
    });
    child.on('exit', (code, signal) => {
      const line = /boot timing \(ms since the process started\): (.*)/.exec(err)?.[1];
      if (ms === null || !line) return reject(new Error(`headless exited (${code ?? signal}) before its panel line: ${err.trim().slice(-400)}`));
      const marks = new Map(line.split(', ').map((m) => [m.slice(0, m.lastIndexOf(' ')), Number(m.slice(m.lastIndexOf(' ') + 1))] as [string, number]));
      resolve({ ms, marks });
    });
  });
}

/** "node start → command 62, lock 1, …": each mark's share, from the host's own clock. */
function whereTimeGoes(launches: Launch[]): string {
  const names = [...launches[0]!.marks.keys()];
  let previous = 0;
  return names
    .map((n, i) => {
      const at = median(launches.map((l) => l.marks.get(n) ?? Number.NaN));
      const part = `${i === 0 ? 'node start' : names[i - 1]} → ${n} ${(at - previous).toFixed(0)}`;
      previous = at;
      return part;
    })
    .join(', ');
}

export async function timeToReady(ctx: BenchContext, distDir: string): Promise<Record<string, number | string>> {
  const launches = ctx.quick ? 3 : 5;
  const run = async (label: string, prepare: (dir: string) => void): Promise<Launch[]> => {
    const done: Launch[] = [];
    for (let i = 0; i < launches; i++) {
      const dir = path.join(ctx.dir, `ready-${label}-${i}`);
      fs.mkdirSync(dir);
      prepare(dir);
      done.push(await launchOnce(distDir, dir));
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return done;
  };
  const empty = await run('empty', () => {});
  const large = await run('large', (dir) => fs.copyFileSync(ctx.largeLogFile(), path.join(dir, 'launcher-sagas.db')));
  const emptyMs = median(empty.map((l) => l.ms));
  const largeMs = median(large.map((l) => l.ms));
  const sagas = ctx.largeSagas.toLocaleString('en');
  console.log(`boot: time to ready (spawn to the panel line), median of ${launches}: empty profile ${emptyMs.toFixed(0)}ms (${whereTimeGoes(empty)})`);
  console.log(`boot: time to ready with 1,000 interrupted sagas in a ${sagas}-saga log: ${largeMs.toFixed(0)}ms (${whereTimeGoes(large)})`);
  return {
    'boot.time_to_ready_ms': round(emptyMs, 1),
    'boot.time_to_ready_1000_interrupted_ms': round(largeMs, 1),
    'boot.time_to_ready_phases': `empty: ${whereTimeGoes(empty)}; ${sagas} sagas, 1,000 interrupted: ${whereTimeGoes(large)}`,
  };
}
