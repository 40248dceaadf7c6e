import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseLaunchArgs } from '../../src-main/electron/launch-args';

describe('launch arguments', () => {
  const cwd = path.resolve('/home/u');

  test('reads --user-data-dir in both spellings, resolved against the cwd', () => {
    assert.deepEqual(parseLaunchArgs(['/opt/app/electron', '.', '--user-data-dir', 'prof'], cwd), {
      userDataDir: path.join(cwd, 'prof'),
      sagaPanel: false,
    });
    assert.equal(parseLaunchArgs(['--user-data-dir=/tmp/p'], cwd).userDataDir, path.resolve('/tmp/p'));
  });

  test('reads --saga-panel and ignores Chromium switches and the app path', () => {
    const args = parseLaunchArgs(['/opt/app/electron', 'dist/electron/main.js', '--no-sandbox', '--enable-logging', '--saga-panel'], cwd);
    assert.deepEqual(args, { userDataDir: null, sagaPanel: true });
  });

  test('refuses --user-data-dir without a directory', () => {
    assert.throws(() => parseLaunchArgs(['--user-data-dir'], cwd), /--user-data-dir needs a directory/);
    assert.throws(() => parseLaunchArgs(['--user-data-dir='], cwd), /--user-data-dir needs a directory/);
    assert.throws(() => parseLaunchArgs(['--user-data-dir', '--saga-panel'], cwd), /--user-data-dir needs a directory/);
  });
});
