// `npm run bench [-- --quick]`: every part's medians, printed as a table and written to bench/results.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildLargeLog } from './large-log';
import { runBootBench } from './boot-bench';
import { runEngineBench } from './engine-bench';
import { type BenchContext, runLogBench } from './log-bench';
import { runPeerLibBench } from './peer-lib-bench';
import { runPanelBench } from './panel-bench';
import { waits } from './wait-monitor';

const quick = process.argv.includes('--quick');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saga-bench-'));
const largeSagas = quick ? 100_000 : 1_000_000;
let largeFile: string | null = null;

const ctx: BenchContext = {
  dir,
  quick,
  largeSagas,
  largeLogFile: () => {
    if (largeFile === null) {
      largeFile = path.join(dir, 'large.db');
      const t0 = performance.now();
      buildLargeLog(largeFile, { sagas: largeSagas, interrupted: 1000, stepsPerSaga: 5 });
      console.log(`built a log of ${largeSagas.toLocaleString('en')} sagas in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
    }
    return largeFile;
  },
};

const distDir = path.resolve(import.meta.dirname, '..', 'dist');
// Each part runs as an activity of the event-loop monitor; what a part does outside the activities it
// labels itself (building and copying fixtures, timing loops' setup) is bench glue, left out of main.longest_wait_ms.
const GLUE = 'bench glue: building and copying fixtures, opening files, setting up timing loops';
const parts: [string, string, (c: BenchContext) => Record<string, number | string> | Promise<Record<string, number | string>>][] = [
  ['log', 'deliberately synchronous micro-benchmarks: thousands of log steps timed in one go, raw SQLite comparisons, queries timed back to back', runLogBench],
  ['engine', GLUE, (c) => runEngineBench(c, distDir)],
  ['peer', 'another library (openworkflow) run side by side, and this engine in the same back-to-back loop', runPeerLibBench],
  ['boot', GLUE, (c) => runBootBench(c, distDir)],
  ['panel', GLUE, (c) => runPanelBench(c, distDir)],
];

async function main(): Promise<void> {
const results: Record<string, number | string | boolean> = {
  'meta.quick': quick,
  'meta.large_log_sagas': largeSagas,
  'meta.cpus': os.cpus().length,
};
try {
  // `--only boot,log` runs a subset while tuning; the published figures come from a full run.
  const onlyArg = process.argv.find((a) => a.startsWith('--only='));
  const only = onlyArg ? onlyArg.slice('--only='.length).split(',') : null;
  waits.start();
  // What this machine's scheduling alone does to an idle event loop: the floor every other wait reads above.
  await waits.activity('idle machine (baseline)', 'excluded', 'nothing runs: the machine\'s own scheduling noise', () => new Promise((r) => setTimeout(r, 2000)));
  for (const [name, why, run] of parts) {
    if (only && !only.includes(name)) continue;
    console.log(`\n== ${name}`);
    Object.assign(results, await waits.activity(`${name} (outside its labelled activities)`, 'excluded', why, () => run(ctx)));
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
const monitored = waits.report();
console.log(
  '\n== main thread: the longest event-loop wait per activity (held: less the time the thread sat on the run queue)\n| activity | kind | longest wait (ms) | GC inside it (ms) | most CPU in one wait (ms) | longest held (ms) | longest call into the log, wall (ms) | call into the log that held main longest (ms) | why excluded |\n|---|---|---|---|---|---|---|---|---|',
);
const call = (c: { ms: number; heldMs: number; cpuMs: number; method: string } | null) => (c ? `${c.method} ${c.ms.toFixed(2)} (held ${c.heldMs.toFixed(2)}, CPU ${c.cpuMs.toFixed(2)})` : '');
for (const r of monitored.rows) {
  console.log(
    `| ${r.name} | ${r.kind} | ${r.maxMs.toFixed(2)} | ${r.gcInLongestMs.toFixed(2)} | ${r.maxCpuMs.toFixed(2)} | ${r.maxHeldMs.toFixed(2)} | ${call(r.longestLogCall)} | ${call(r.heldLogCall)} | ${r.kind === 'served' ? '' : r.why} |`,
  );
}
Object.assign(results, monitored.figures);

console.log('\n| key | value |\n|---|---|');
for (const [k, v] of Object.entries(results)) console.log(`| ${k} | ${v} |`);
fs.writeFileSync(path.join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwritten to bench/results.json');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
