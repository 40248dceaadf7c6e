// The layer check is a check that fails: plant each kind of violation in a copy of the real tree
// and see the check name the file and line; the real tree itself passes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { tempDir } from '../helpers/temp-dir';

const ROOT = path.resolve(__dirname, '../..');
const CHECK = path.join(ROOT, 'scripts', 'check-layers.mjs');

function copyTree(): string {
  const dir = tempDir('layers-');
  for (const d of ['src-shared', 'src-renderer', 'src-main']) fs.cpSync(path.join(ROOT, d), path.join(dir, d), { recursive: true });
  // The check loads typescript from the project; a copy of the sources is all it reads.
  return dir;
}

function check(root: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [CHECK, root], { encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function plant(root: string, file: string, line: string): number {
  const full = path.join(root, file);
  const lines = fs.readFileSync(full, 'utf8').split('\n');
  // After the file's first comment block, where an import would go.
  const at = lines.findIndex((l) => !l.startsWith('//'));
  lines.splice(at, 0, line);
  fs.writeFileSync(full, lines.join('\n'));
  return at + 1;
}

describe('layer check', () => {
  test('the real tree passes', () => {
    const r = check(ROOT);
    assert.equal(r.code, 0, r.out);
  });

  const cases: { what: string; file: string; line: string; expect: RegExp }[] = [
    { what: 'a bare side-effect import of Electron host code from the engine', file: 'src-main/saga/recovery.ts', line: "import '../electron/host';", expect: /layer engine may import only shared, log/ },
    { what: "'electron' outside the electron layers", file: 'src-main/boot/subsystem.ts', line: "import { app } from 'electron';", expect: /only the electron layers may/ },
    { what: 'a type-only import of a higher layer', file: 'src-main/peers/peers.ts', line: "import type { SagaApp } from '../ipc/saga-app';", expect: /layer peers may import only shared, engine/ },
    { what: 'the app reaching past the public entry', file: 'src-main/workspace-app/app.ts', line: "import { Router } from '../saga/router';", expect: /layer app may import only api, electron-api/ },
    { what: 'Node in src-shared', file: 'src-shared/saga-model.ts', line: "import fs from 'node:fs';", expect: /runs in the renderer too/ },
    { what: 'the renderer importing main', file: 'src-renderer/panel.ts', line: "import '../src-main/saga/log/saga-log';", expect: /layer renderer may import only shared/ },
    { what: 'a require() of a higher layer', file: 'src-main/saga/log/errors.ts', line: "const x = require('../coordinator');", expect: /layer log may import only shared/ },
  ];
  for (const c of cases) {
    test(`fails on ${c.what}, naming the file and line`, () => {
      const root = copyTree();
      try {
        const line = plant(root, c.file, c.line);
        const r = check(root);
        assert.equal(r.code, 1, r.out);
        assert.match(r.out, new RegExp(`${c.file.replace(/[.]/g, '\\.')}:${line}: `));
        assert.match(r.out, c.expect);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  }

  test('fails on a loop between folders, even one the table would allow layer by layer', () => {
    const root = copyTree();
    try {
      // Two folders of one new layer that import each other: each import is allowed, the loop is not.
      fs.mkdirSync(path.join(root, 'src-main/cli/a'));
      fs.mkdirSync(path.join(root, 'src-main/cli/b'));
      fs.writeFileSync(path.join(root, 'src-main/cli/a/one.ts'), "import { two } from '../b/two';\nexport const one = () => two;\n");
      fs.writeFileSync(path.join(root, 'src-main/cli/b/two.ts'), "import { one } from '../a/one';\nexport const two = () => one;\n");
      const r = check(root);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, /folders import each other in a loop: src-main\/cli\/a -> src-main\/cli\/b \(src-main\/cli\/a\/one\.ts:1\), src-main\/cli\/b -> src-main\/cli\/a \(src-main\/cli\/b\/two\.ts:1\)/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('fails on a file in no layer and on an import that resolves to nothing', () => {
    const root = copyTree();
    try {
      fs.mkdirSync(path.join(root, 'src-main/stray'));
      fs.writeFileSync(path.join(root, 'src-main/stray/x.ts'), 'export const x = 1;\n');
      plant(root, 'src-main/boot/retention.ts', "import './missing-module';");
      const r = check(root);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, /src-main\/stray\/x\.ts:1: is in no layer/);
      assert.match(r.out, /src-main\/boot\/retention\.ts:\d+: imports '\.\/missing-module', which resolves to no source file/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
