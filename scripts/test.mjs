// `npm test`: typecheck, layer rules, build, unit + integration tests, then the Playwright suites.
// Runs under the node that `npm run` puts first on PATH (node_modules/.bin/node, Node 22).
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const steps = [
  ['typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['layers', process.execPath, ['scripts/check-layers.mjs']],
  ['build', process.execPath, ['scripts/build.mjs']],
  ['unit+integration', process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=900000', '--test-reporter=dot', '--test-reporter-destination=stdout', '--test-reporter=./scripts/summary-reporter.mjs', '--test-reporter-destination=stdout', 'test/**/*.test.ts']],
  ['browser', process.execPath, ['scripts/ensure-browser.mjs']],
  ['e2e', 'npx', ['playwright', 'test']],
];

const only = process.argv.slice(2);
for (const [name, cmd, args] of steps) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n== ${name}: ${[cmd, ...args].join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n== ${name} failed after ${secs}s (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  console.log(`== ${name} ok in ${secs}s`);
}
