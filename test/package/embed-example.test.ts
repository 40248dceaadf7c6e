// The README's "Embed it in your app" example, as a new user runs it: the packed tarball installed
// into a fresh Node project (dependencies from the registry as usual), the README's own code
// written into it, type-checked against the package's generated types, run (the saga completes
// through the app's own host peer), run again with main SIGKILLed mid-step, and run once more:
// the recovery report names the interrupted step and its target.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import os from 'node:os';

const ROOT = path.resolve(__dirname, '../..');
const EXAMPLE_DIR = path.join(ROOT, 'examples', 'embed');
const EXAMPLE_FILES = ['main.ts', 'host-peer.ts'];
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 180_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

/** The README's ```ts blocks in its "Embed it in your app" section. */
function readmeBlocks(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Embed it in your app');
  assert.ok(start >= 0, 'the README has an "Embed it in your app" section');
  const end = readme.indexOf('\n## ', start + 5);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

describe('the README example, from a packed tarball in a fresh project', () => {
  let work: string;
  let project: string;
  let tarball: string;
  before(() => {
    // Not tempDir(): its cleanup, registered inside a hook, would run as soon as the hook ends.
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'embed-'));
    project = path.join(work, 'app');
    fs.mkdirSync(project);
    const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
    assert.equal(packed.code, 0, packed.stderr);
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(work, info!.filename);
    const files = info!.files.map((f) => f.path);
    assert.ok(files.includes('dist/index.js') && files.includes('dist/types/src-main/index.d.ts'), 'the entry and its types are packed');
    const stray = files.filter((f) => /\.map$|^test\/|^e2e\/|^src-|fixtures|^bench\//.test(f));
    assert.deepEqual(stray, [], 'the tarball holds no tests, fixtures, sources or source maps');
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test("the README shows the example's files exactly", () => {
    const blocks = readmeBlocks();
    for (const f of EXAMPLE_FILES) {
      assert.ok(blocks.includes(fs.readFileSync(path.join(EXAMPLE_DIR, f), 'utf8')), `README shows examples/embed/${f} as it is`);
    }
  });

  test('installs, type-checks, runs, and reports what a SIGKILL mid-step left', () => {
    for (const f of ['package.json', 'tsconfig.json', ...EXAMPLE_FILES]) fs.copyFileSync(path.join(EXAMPLE_DIR, f), path.join(project, f));
    const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `zod@${pkg.dependencies.zod}`], project);
    assert.equal(install.code, 0, install.stderr);

    // Compiled against the package's generated .d.ts, as the user's editor would.
    const tsc = run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--typeRoots', path.join(ROOT, 'node_modules/@types')], project);
    assert.equal(tsc.code, 0, `${tsc.stdout}${tsc.stderr}`);

    const first = run(process.execPath, ['main.ts'], project);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^saga 1 completed: \{"greeting":"hello, ada"\}$/m);

    const crashed = run(process.execPath, ['main.ts'], project, { LAUNCHER_CRASH_AT: 'greet_user:1:after_pending' });
    assert.equal(crashed.signal, 'SIGKILL', `main was killed mid-step (${crashed.stderr})`);
    assert.match(crashed.stderr, /crash point greet_user:1:after_pending reached/);

    const relaunched = run(process.execPath, ['main.ts'], project);
    assert.equal(relaunched.code, 0, relaunched.stderr);
    assert.match(relaunched.stdout, /^recovered saga 2: interrupted while running, during step 1 'greet' \(target host, peer generation 1, outcome unknown\)$/m);
    assert.match(relaunched.stdout, /^saga 3 completed: /m);

    // The bin the package ships reads the same log.
    const diag = run(process.execPath, [path.join(project, 'node_modules/launcher-saga/dist/cli/launcher-saga.js'), 'diag', '--db', path.join(project, 'profile/launcher-sagas.db'), '--json'], project);
    assert.equal(diag.code, 0, diag.stderr);
    assert.match(diag.stdout, /failed_compensation/);
  });
});
