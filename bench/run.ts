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
const parts: [string, (c: BenchContext) => Record<string, number | string> | Promise<Record<string, number | string>>][] = [
  ['log', runLogBench],
  ['engine', (c) => runEngineBench(c, distDir)],
  ['peer', runPeerLibBench],
  ['boot', (c) => runBootBench(c, distDir)],
  ['panel', (c) => runPanelBench(c, distDir)],
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
  for (const [name, run] of parts) {
    if (only && !only.includes(name)) continue;
    console.log(`\n== ${name}`);
    Object.assign(results, await run(ctx));
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

console.log('\n| key | value |\n|---|---|');
for (const [k, v] of Object.entries(results)) console.log(`| ${k} | ${v} |`);
fs.writeFileSync(path.join(import.meta.dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('\nwritten to bench/results.json');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
