// A SIGKILL of main (a real process, a real signal) leaves no peer and no session behind,
// and a crash point kills main at the exact write it names.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { requireBuild, tempDir, waitForExit } from './helpers';

const FIXTURE = path.join(__dirname, 'fixtures', 'engine-main.ts');

function startMain(dir: string, env: Record<string, string> = {}): { child: ChildProcess; lines: AsyncIterator<string>; exited: Promise<string | null> } {
  requireBuild();
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dir], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<string | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, lines, exited };
}

async function nextJson(lines: AsyncIterator<string>): Promise<Record<string, unknown>> {
  const r = await lines.next();
  if (r.done) throw new Error('the main process ended before printing its state');
  return JSON.parse(r.value) as Record<string, unknown>;
}

describe('no orphans after main is killed', () => {
  it('host, srv and the session process all exit by themselves after SIGKILL of main', async () => {
    const dir = tempDir();
    const main = startMain(dir);
    try {
      const peers = (await nextJson(main.lines)) as { host: number; srv: number };
      const run = (await nextJson(main.lines)) as { state: string; session: number };
      assert.equal(run.state, 'completed');
      main.child.kill('SIGKILL');
      assert.equal(await main.exited, 'SIGKILL');
      for (const [what, pid] of [['host', peers.host], ['srv', peers.srv], ['session', run.session]] as const) {
        assert.ok(await waitForExit(pid), `${what} (pid ${pid}) outlived main`);
      }
    } finally {
      main.child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('LAUNCHER_CRASH_AT=open_workspace:1:after_dispatch kills main after host replied, before the outcome is written', async () => {
    const dir = tempDir();
    const main = startMain(dir, { LAUNCHER_CRASH_AT: 'open_workspace:1:after_dispatch' });
    try {
      const peers = (await nextJson(main.lines)) as { host: number; srv: number };
      assert.equal(await main.exited, 'SIGKILL');
      assert.ok(await waitForExit(peers.host), 'host outlived main');
      assert.ok(await waitForExit(peers.srv), 'srv outlived main');
      const log = SagaLog.open(path.join(dir, LOG_FILE_NAME), { readonly: true });
      try {
        const d = log.saga(1)!;
        assert.equal(d.state, 'running');
        assert.deepEqual(d.steps.map((s) => [s.name, s.state, s.peerGeneration]), [
          ['create_workspace', 'succeeded', 1],
          ['start_session', 'pending', 1],
        ]);
        assert.deepEqual(d.inFlightStep, { stepIndex: 1, name: 'start_session', target: 'host', peerGeneration: 1 });
      } finally {
        log.close();
      }
    } finally {
      main.child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
