// The layering as a check that fails: every import of every source file (type-only and bare
// side-effect imports included) is checked against the table in scripts/layers.mjs, and the
// folder graph must have no loop. Each problem names the file and line.
// Usage: node scripts/check-layers.mjs [root]   (exit 0 clean, 1 problems)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAYERS, SOURCE_ROOTS } from './layers.mjs';

const ts = createRequire(import.meta.url)('typescript');

function* sources(root, dir) {
  if (!fs.existsSync(path.join(root, dir))) return;
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) yield* sources(root, rel);
    else if (/\.(ts|mts|tsx)$/.test(e.name) && !e.name.endsWith('.d.ts')) yield rel;
  }
}

export function layerOf(file) {
  let best = null;
  for (const l of LAYERS) {
    for (const p of l.paths) {
      const match = p.endsWith('/') ? file.startsWith(p) : file === p;
      if (match && (best === null || p.length > best.len)) best = { layer: l, len: p.length };
    }
  }
  return best?.layer ?? null;
}

function resolveRelative(root, from, spec) {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  const stem = base.replace(/\.(c|m)?js$/, '');
  for (const c of [base, `${stem}.ts`, `${stem}.mts`, `${stem}.tsx`, `${base}/index.ts`]) {
    const full = path.join(root, c);
    if (fs.existsSync(full) && fs.statSync(full).isFile()) return c;
  }
  return null;
}

const lineOf = (text, pos) => text.slice(0, pos).split('\n').length;

/** Every problem in the tree at `root`, as "file:line: message". */
export function checkLayers(root) {
  const problems = [];
  const edges = new Map(); // folder -> Map(folder -> first "file:line")
  for (const srcRoot of SOURCE_ROOTS) {
    for (const file of sources(root, srcRoot)) {
      const layer = layerOf(file);
      if (!layer) {
        problems.push(`${file}:1: is in no layer of scripts/layers.mjs; add its folder to the table`);
        continue;
      }
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      const { importedFiles } = ts.preProcessFile(text, true, true);
      for (const imp of importedFiles) {
        const spec = imp.fileName;
        const at = `${file}:${lineOf(text, imp.pos)}`;
        if (!spec.startsWith('.')) {
          if ((spec === 'electron' || spec.startsWith('electron/')) && !layer.electron) {
            problems.push(`${at}: imports '${spec}'; only the electron layers may (${layer.layer}: ${layer.why})`);
          }
          if (layer.runtime === 'browser' && (spec.startsWith('node:') || spec === 'better-sqlite3')) {
            problems.push(`${at}: imports '${spec}'; layer ${layer.layer} runs in the renderer too (${layer.why})`);
          }
          continue;
        }
        const target = resolveRelative(root, file, spec);
        if (target === null) {
          problems.push(`${at}: imports '${spec}', which resolves to no source file`);
          continue;
        }
        const targetLayer = layerOf(target);
        if (!targetLayer) {
          problems.push(`${at}: imports '${spec}' (${target}), which is in no layer`);
          continue;
        }
        if (targetLayer !== layer && !layer.may.includes(targetLayer.layer)) {
          problems.push(`${at}: imports '${spec}' (layer ${targetLayer.layer}); layer ${layer.layer} may import only ${layer.may.join(', ') || 'nothing of ours'} (${layer.why})`);
        }
        const fromDir = path.posix.dirname(file);
        const toDir = path.posix.dirname(target);
        if (fromDir !== toDir) {
          if (!edges.has(fromDir)) edges.set(fromDir, new Map());
          if (!edges.get(fromDir).has(toDir)) edges.get(fromDir).set(toDir, at);
        }
      }
    }
  }
  for (const cycle of folderCycles(edges)) {
    const hops = cycle.map((dir, i) => `${dir} -> ${cycle[(i + 1) % cycle.length]} (${edges.get(dir).get(cycle[(i + 1) % cycle.length])})`);
    problems.push(`${edges.get(cycle[0]).get(cycle[1 % cycle.length]).split(':').slice(0, 2).join(':')}: folders import each other in a loop: ${hops.join(', ')}`);
  }
  return problems;
}

/** Loops in the folder graph: one shortest cycle per strongly connected component (Tarjan). */
function folderCycles(edges) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) components.push(comp);
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return components.map((comp) => {
    // Breadth-first from the first folder back to itself, within the component.
    const inComp = new Set(comp);
    const start = comp.sort()[0];
    const prev = new Map();
    const queue = [start];
    while (queue.length > 0) {
      const v = queue.shift();
      for (const w of edges.get(v)?.keys() ?? []) {
        if (!inComp.has(w)) continue;
        if (w === start) {
          const path = [v];
          for (let u = v; u !== start; u = prev.get(u)) path.unshift(prev.get(u));
          return path;
        }
        if (!prev.has(w)) {
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    return comp;
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..'));
  const problems = checkLayers(root);
  if (problems.length > 0) {
    console.error(`layer check failed (${problems.length}):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log('layer check: ok');
}
