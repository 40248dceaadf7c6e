// Tests that need permissions to bind run their child as `nobody` when the suite runs as root.
// That user may not be able to reach the checkout at all (a clone under /root, mode 0700), so the
// child runs from a world-readable copy in the temp dir: the Node binary (hard-linked when the
// file system allows), the fixture bundled into one file, and better-sqlite3's loader and prebuild.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { buildSync } from 'esbuild';
import { type Child, startProcess } from '../boot/child';
import { REPO_ROOT } from './cli';

export const NOBODY = 65534;
export const isRoot = process.getuid?.() === 0;

let runtime: { dir: string; node: string } | null = null;

function linkOrCopy(from: string, to: string): void {
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
  }
}

function copyTree(from: string, to: string, keep: (rel: string) => boolean, rel = ''): void {
  fs.mkdirSync(to, { recursive: true, mode: 0o755 });
  for (const e of fs.readdirSync(from, { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (!keep(r)) continue;
    if (e.isDirectory()) copyTree(path.join(from, e.name), path.join(to, e.name), keep, r);
    else linkOrCopy(path.join(from, e.name), path.join(to, e.name));
  }
}

/** The world-readable runtime, made once per test file and removed when it ends. */
function portableRuntime(): { dir: string; node: string } {
  if (runtime) return runtime;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saga-unprivileged-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.chmodSync(dir, 0o755);
  const node = path.join(dir, 'node');
  linkOrCopy(process.execPath, node);
  const sqlite = path.join(REPO_ROOT, 'node_modules', 'better-sqlite3');
  const prebuild = `${process.platform}-${process.arch}.node`;
  copyTree(sqlite, path.join(dir, 'node_modules', 'better-sqlite3'), (rel) =>
    rel === 'package.json' || rel === 'lib' || rel.startsWith(`lib${path.sep}`) || rel === 'prebuilds' || rel === path.join('prebuilds', prebuild) || rel === 'build' || rel.startsWith(`build${path.sep}`),
  );
  runtime = { dir, node };
  return runtime;
}

/**
 * Starts the TypeScript fixture `script` as `uid` (when given) from the portable runtime.
 * Without a uid it is startTs's child, run from the checkout.
 */
export function startUnprivileged(script: string, args: string[], uid: number): Child {
  const { dir, node } = portableRuntime();
  const out = path.join(dir, `${path.basename(script, '.ts')}-${Math.random().toString(36).slice(2)}.cjs`);
  buildSync({
    entryPoints: [script],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['better-sqlite3'],
    // The fixture finds dist/ through its own folder; the bundle lives elsewhere, so it is told.
    define: { 'import.meta.dirname': JSON.stringify(path.dirname(script)) },
    logLevel: 'error',
  });
  fs.chmodSync(out, 0o644);
  return startProcess(node, [out, ...args], {}, uid, dir);
}
