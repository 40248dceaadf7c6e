// Bundles main-process entries (CommonJS for Node and Electron alike), the preload and the panel.
// Entries not present yet are skipped so the build stays green while the tree grows.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const finalDist = path.join(root, 'dist');
// Build beside dist/ and swap it in at the end, so a process running from dist/ never sees it half-built.
const dist = path.join(root, `.dist-building-${process.pid}`);
const exists = (p) => fs.existsSync(path.join(root, p));

const nodeEntries = [
  ['src-main/cli/launcher-saga.ts', 'cli/launcher-saga.js', '#!/usr/bin/env node'],
  ['src-main/peers/host-main.ts', 'peers/host.js'],
  ['src-main/peers/srv-main.ts', 'peers/srv.js'],
  ['src-main/domain/session-process.ts', 'peers/session-process.js'],
  ['src-main/electron/main.ts', 'electron/main.js'],
  ['src-main/electron/preload.ts', 'electron/preload.js'],
].filter(([src]) => exists(src));

fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(dist, { recursive: true });

await Promise.all(
  nodeEntries.map(([src, out, banner]) =>
    build({
      entryPoints: [path.join(root, src)],
      outfile: path.join(dist, out),
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      sourcemap: 'linked',
      // Native and host-provided modules are loaded at run time, never bundled.
      external: ['better-sqlite3', 'electron'],
      banner: banner ? { js: banner } : undefined,
      logLevel: 'warning',
    }),
  ),
);
if (exists('src-main/cli/launcher-saga.ts')) fs.chmodSync(path.join(dist, 'cli/launcher-saga.js'), 0o755);

const rendererEntries = ['panel', 'launcher'].filter((n) => exists(`src-renderer/${n}.ts`));
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
if (rendererEntries.length > 0) {
  for (const f of fs.readdirSync(path.join(root, 'src-renderer'))) {
    if (/\.(html|css|svg)$/.test(f)) fs.copyFileSync(path.join(root, 'src-renderer', f), path.join(dist, 'renderer', f));
  }
}
const old = path.join(root, `.dist-old-${process.pid}`);
if (fs.existsSync(finalDist)) fs.renameSync(finalDist, old);
fs.renameSync(dist, finalDist);
fs.rmSync(old, { recursive: true, force: true });
console.log(`built ${nodeEntries.length + rendererEntries.length} bundles into dist/`);
