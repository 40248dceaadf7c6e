// The crash fixture refuses bad arguments up front (exit 2, one line on stderr) instead of
// booting and then hanging with its peers still running.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { startTs } from '../boot/child';
import { tempDir } from '../helpers/temp-dir';

const CHILD = path.join(import.meta.dirname, 'fixtures', 'crash-child.ts');

describe('crash-child fixture', () => {
  // The timeout only turns a hang into a failure; nothing is asserted about how long it took.
  const cases: { what: string; args: (dir: string) => string[]; message: RegExp }[] = [
    { what: 'input that is not JSON', args: (dir) => [dir, 'not json'], message: /^crash-child: invalid arguments: inputJson: not JSON/ },
    { what: 'input open_workspace refuses', args: (dir) => [dir, JSON.stringify({ name: '', owner: 'ada' })], message: /^crash-child: invalid arguments: inputJson\.name: / },
    { what: 'an unknown fault', args: (dir) => [dir, JSON.stringify({ name: 'ws', owner: 'ada' }), JSON.stringify({ create_workspace: 'boom' })], message: /^crash-child: invalid arguments: faultsJson\.create_workspace: / },
    { what: 'no arguments', args: () => [], message: /^crash-child: invalid arguments: arguments: / },
  ];
  for (const c of cases) {
    test(`${c.what}: exit 2, one line on stderr, nothing booted or written`, { timeout: 60_000 }, async () => {
      const dir = tempDir('crash-child-');
      const child = startTs(CHILD, c.args(dir));
      const { code, signal } = await child.exited;
      assert.deepEqual({ code, signal }, { code: 2, signal: null }, `stdout: ${child.stdout()} stderr: ${child.stderr()}`);
      const lines = child.stderr().split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, child.stderr());
      assert.match(lines[0]!, c.message);
      assert.equal(child.stdout(), '', 'nothing booted');
      assert.deepEqual(fs.readdirSync(dir), [], 'nothing written to the profile');
    });
  }
});
