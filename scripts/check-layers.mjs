// The layering rules as a check that fails, not a wish:
//   src-shared imports nothing of ours; src-main/saga knows nothing of Electron or IPC;
//   only src-main/electron imports 'electron'; nothing outside src-main/electron imports from it (the
//   Node host must never pull in Electron-host code); the renderer reaches main only through the preload API.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const importRe = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function* sources(dir) {
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) yield* sources(rel);
    else if (/\.(ts|mts|tsx)$/.test(e.name)) yield rel;
  }
}

const rules = [
  { dir: 'src-shared', forbid: (spec, resolved) => resolved !== null && !resolved.startsWith('src-shared/'), why: 'src-shared imports nothing of ours' },
  { dir: 'src-shared', forbid: (spec) => spec === 'electron' || spec.startsWith('node:'), why: 'src-shared runs in the renderer too: no Node, no Electron' },
  { dir: 'src-renderer', forbid: (spec, resolved) => resolved !== null && !resolved.startsWith('src-renderer/') && !resolved.startsWith('src-shared/'), why: 'the renderer talks to main only through the preload API' },
  { dir: 'src-renderer', forbid: (spec) => spec === 'electron' || spec.startsWith('node:'), why: 'the renderer is sandboxed' },
  { dir: 'src-main/saga', forbid: (spec, resolved) => spec === 'electron' || (resolved !== null && /^src-main\/(ipc|electron|headless|cli)\//.test(resolved)), why: 'src-main/saga knows nothing of Electron or IPC' },
  { dir: 'src-main', except: 'src-main/electron/', forbid: (spec) => spec === 'electron' || spec.startsWith('electron/'), why: "only src-main/electron imports 'electron'" },
  { dir: 'src-main', except: 'src-main/electron/', forbid: (spec, resolved) => resolved !== null && resolved.startsWith('src-main/electron/'), why: 'nothing outside src-main/electron imports from it' },
];

const problems = [];
for (const rule of rules) {
  if (!fs.existsSync(path.join(root, rule.dir))) continue;
  for (const file of sources(rule.dir)) {
    if (rule.except && file.startsWith(rule.except)) continue;
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const isTypeOnly = /^(import|export)\s+type\s/.test(m[0]);
      const resolved = spec.startsWith('.') ? path.relative(root, path.resolve(root, path.dirname(file), spec)).split(path.sep).join('/') : null;
      // Type-only imports of 'electron' vanish at build time; they are how tests check Electron code under Node.
      if (isTypeOnly && spec === 'electron' && file.startsWith('src-main/electron/')) continue;
      if (rule.forbid(spec, resolved)) problems.push(`${file}: imports '${spec}' (${rule.why})`);
    }
  }
}
if (problems.length > 0) {
  console.error(`layer check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('layer check: ok');
