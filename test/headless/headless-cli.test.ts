// `launcher-saga headless` as a real child process of the built bin (build first).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { CLI, runCli } from '../helpers/cli';
import { tempDir } from '../helpers/temp-dir';
import { writeCompleted, writeInterrupted } from '../ipc/panel-fixtures';

interface Started {
  child: ChildProcess;
  url: string;
  exit: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
}

function startHeadless(userDataDir: string): Promise<Started> {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: run node scripts/build.mjs first`);
  const child = spawn(process.execPath, [CLI, 'headless', '--user-data-dir', userDataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /^panel: (\S+)\n/m.exec(stdout);
      if (m) resolve({ child, url: m[1]!, exit });
    });
    void exit.then((r) => reject(new Error(`headless exited (${r.code}) before its panel line: ${r.stderr}`)));
  });
}

test('recovers the profile, prints one panel line, serves the log, and exits 0 on SIGTERM', async () => {
  const dir = tempDir('headless-cli-');
  const log = SagaLog.open(path.join(dir, LOG_FILE_NAME));
  writeCompleted(log);
  const crashed = writeInterrupted(log);
  log.close();

  const host = await startHeadless(dir);
  assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\/$/);
  const res = await fetch(`${host.url}api/saga:get`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sagaId: crashed }),
  });
  const body = (await res.json()) as { ok: true; data: { saga: { state: string; failureReason: string } } };
  // The panel line comes only after recovery: the crashed saga is already marked.
  assert.equal(body.data.saga.state, 'failed_compensation');
  assert.match(body.data.saga.failureReason, /outcome unknown/);
  assert.equal((await fetch(`${new URL(host.url).origin}/`)).status, 401);

  // One instance per profile: a second launch is refused while the first runs.
  const second = runCli(['headless', '--user-data-dir', dir, '--port', '0']);
  assert.equal(second.status, 1);
  assert.match(second.stderr, /in use by another launcher process/);

  host.child.kill('SIGTERM');
  const done = await host.exit;
  assert.equal(done.code, 0, done.stderr);
  assert.equal(done.stdout.match(/^panel: /gm)?.length, 1);
  assert.equal(done.stdout.trim().split('\n').length, 1);
});

test('bad usage exits 2 with one sentence', () => {
  const r = runCli(['headless', '--port', '70000', '--user-data-dir', tempDir('headless-usage-')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--port/);
  const missing = runCli(['headless']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /user-data-dir/);
});

test('SIGTERM answers the launcher requests it was running: sagas that finish within the grace are reported finished', async () => {
  const dir = tempDir('headless-stop-');
  const host = await startHeadless(dir);
  const run = (i: number) =>
    fetch(`${host.url}api/launcher:run-saga`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ saga: 'open_workspace', workspace: `stop-${i}` }),
    }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as { ok: boolean; data?: { sagaId: number; state: string }; dropped?: string } }),
      (err: unknown) => ({ status: 0, body: { ok: false, dropped: String(err) } as { ok: boolean; data?: { sagaId: number; state: string }; dropped?: string } }),
    );
  const answers = Array.from({ length: 20 }, (_, i) => run(i));
  // Stop once some sagas are under way (their rows exist), not before any request arrived.
  const file = path.join(dir, LOG_FILE_NAME);
  for (let i = 0; i < 200 && !fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 50));
  host.child.kill('SIGTERM');
  const results = await Promise.all(answers);
  const done = await host.exit;
  assert.equal(done.code, 0, done.stderr);
  assert.deepEqual(results.filter((r) => r.status === 0), [], 'no connection was dropped');
  const finished = results.filter((r) => r.body.ok);
  assert.ok(finished.length > 0, 'some sagas were answered');
  const log = SagaLog.open(file, { readonly: true });
  try {
    for (const r of finished) assert.equal(log.saga(r.body.data!.sagaId)?.state, r.body.data!.state, 'the answer is what the log holds');
  } finally {
    log.close();
  }
});
