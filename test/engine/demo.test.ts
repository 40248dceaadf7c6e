// `launcher-saga demo` as a user runs it: the built bin, a real profile, real peers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { DIST_DIR, requireBuild, tempDir } from './helpers';

const BIN = path.join(DIST_DIR, 'cli', 'launcher-saga.js');

function demo(args: string[]) {
  requireBuild();
  return spawnSync(process.execPath, [BIN, 'demo', ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('launcher-saga demo', () => {
  it('runs N sagas through the peers, prints one line per outcome and a summary, exits 0', () => {
    const dir = tempDir();
    try {
      const r = demo(['--user-data-dir', dir, '--sagas', '8', '--concurrency', '3', '--fail-rate', '0.5']);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      const outcomes = lines.filter((l) => /^saga \d+ (open|close)_workspace (completed|failed|failed_compensation) in \d+ ms/.test(l));
      assert.equal(outcomes.length, 8, r.stdout);
      assert.match(lines.at(-1)!, /^demo: 8 sagas in [\d.]+ s: .*; peers: host generation \d+, srv generation \d+; log: /);
      const log = SagaLog.open(path.join(dir, LOG_FILE_NAME), { readonly: true });
      try {
        assert.equal(log.maxSagaId(), 8);
        assert.equal(log.countInState('running') + log.countInState('compensating'), 0);
        // The access token is sensitive: never in the log.
        assert.doesNotMatch(log.saga(1)!.inputJson, /token-/);
      } finally {
        log.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bad usage exits 2 with one clear line', () => {
    const dir = tempDir();
    try {
      const missing = demo(['--user-data-dir', dir]);
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /^launcher-saga: demo: --sagas is required\n$/);
      const rate = demo(['--user-data-dir', dir, '--sagas', '2', '--fail-rate', '1.5']);
      assert.equal(rate.status, 2);
      assert.match(rate.stderr, /--fail-rate: expected a fraction between 0 and 1/);
      assert.equal(fs.existsSync(path.join(dir, LOG_FILE_NAME)), false, 'bad usage writes nothing');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
