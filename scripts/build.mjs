// Bundles the subsystem's public entries (the package's `exports`, with .d.ts from tsc), the
// workspace app's entries (the bin, its peers, its Electron main), the preload and the panel.
// CommonJS for Node and Electron alike.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const finalDist = path.join(root, 'dist');
// Build beside dist/ and swap it in at the end, so a process running from dist/ never sees it half-built.
const dist = path.join(root, `.dist-building-${process.pid}`);

// [source, output, banner, library]: a library entry leaves its dependencies to the installing
// project (one zod, one better-sqlite3); the app's own bundles carry everything but native code.
const nodeEntries = [
  ['src-main/index.ts', 'index.js', undefined, true],
  ['src-main/electron/index.ts', 'electron-host.js', undefined, true],
  ['src-main/workspace-app/bin.ts', 'cli/launcher-saga.js', '#!/usr/bin/env node'],
  ['src-main/workspace-app/host-peer.ts', 'peers/host.js'],
  ['src-main/workspace-app/srv-peer.ts', 'peers/srv.js'],
  ['src-main/workspace-app/session-process.ts', 'peers/session-process.js'],
  ['src-main/workspace-app/electron-main.ts', 'electron/main.js'],
  ['src-main/electron/preload.ts', 'electron/preload.js'],
  // The checkpoint worker's thread: found beside whichever bundle starts it (saga/log/checkpointer.ts).
  ['src-main/saga/log/checkpoint-worker.ts', 'log-worker.js'],
];

fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(dist, { recursive: true });

await Promise.all(
  nodeEntries.map(([src, out, banner, library]) =>
    build({
      entryPoints: [path.join(root, src)],
      outfile: path.join(dist, out),
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      sourcemap: 'linked',
      // Native and host-provided modules are loaded at run time, never bundled.
      external: library ? ['better-sqlite3', 'electron', 'zod'] : ['better-sqlite3', 'electron'],
      banner: banner ? { js: banner } : undefined,
      logLevel: 'warning',
    }),
  ),
);
fs.chmodSync(path.join(dist, 'cli/launcher-saga.js'), 0o755);

// The public API's types, generated from the same sources (package.json `exports` points at them).
execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.types.json'), '--outDir', path.join(dist, 'types')], {
  cwd: root,
  stdio: 'inherit',
});

const rendererEntries = ['panel', 'launcher'];
await Promise.all(
  rendererEntries.map((n) =>
    build({
      entryPoints: [path.join(root, `src-renderer/${n}.ts`)],
      outfile: path.join(dist, `renderer/${n}.js`),
      bundle: true,
      platform: 'browser',
      target: 'chrome120',
      format: 'iife',
      // The panel carries zod; minified it loads in a fraction of the time.
      minify: true,
      sourcemap: 'linked',
      logLevel: 'warning',
    }),
  ),
);
for (const f of fs.readdirSync(path.join(root, 'src-renderer'))) {
  if (/\.(html|css|svg)$/.test(f)) fs.copyFileSync(path.join(root, 'src-renderer', f), path.join(dist, 'renderer', f));
}
const old = path.join(root, `.dist-old-${process.pid}`);
if (fs.existsSync(finalDist)) fs.renameSync(finalDist, old);
fs.renameSync(dist, finalDist);
fs.rmSync(old, { recursive: true, force: true });
console.log(`built ${nodeEntries.length + rendererEntries.length} bundles into dist/`);
