// `launcher-saga compensate` through the built bin: a real crash, then the command's exit codes,
// its refusal while another launch holds the profile, and diag's export of the result.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { LOG_FILE_NAME } from '../../src-main/index';
import { startProcess } from '../boot/child';
import { CLI, runCli } from '../helpers/cli';
import { crashedOpen, workspacesIn } from '../operator/crashed-open';

describe('launcher-saga compensate', () => {
  test('bad usage exits 2; refused while the app runs (1, naming the pid); an unknown outcome needs --confirm-unknown (1); then 0', async () => {
    const dir = await crashedOpen('open_workspace:2:after_pending');
    const file = path.join(dir, LOG_FILE_NAME);
    assert.equal(runCli(['compensate', '--user-data-dir', dir, '--saga', '1']).status, 2, 'no --note');
    assert.equal(runCli(['compensate', '--user-data-dir', dir, '--saga', 'x', '--note', 'n']).status, 2);

    const app = startProcess(process.execPath, [CLI, 'headless', '--user-data-dir', dir, '--port', '0']);
    await app.waitFor(/^panel: /);
    const locked = runCli(['compensate', '--user-data-dir', dir, '--saga', '1', '--note', 'checked', '--confirm-unknown']);
    assert.equal(locked.status, 1, locked.stderr);
    assert.match(locked.stderr, new RegExp(`\\b${app.pid}\\b`), 'the refusal names the running pid');
    app.proc.kill('SIGTERM');
    await app.exited;

    const unknown = runCli(['compensate', '--user-data-dir', dir, '--saga', '1', '--note', 'checked']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /outcome of step 2 'register_panel_view' \(target self\) is unknown/);
    assert.equal(workspacesIn(dir), 1);

    const done = runCli(['compensate', '--user-data-dir', dir, '--saga', '1', '--note', 'main died before the view', '--confirm-unknown']);
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stdout, /^saga 1 open_workspace: failed \(undid steps 1, 0; by .+\)$/m);
    assert.equal(workspacesIn(dir), 0);

    const again = runCli(['compensate', '--user-data-dir', dir, '--saga', '1', '--note', 'again']);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /saga 1 is failed; only a failed_compensation saga can be compensated/);

    const exported = runCli(['diag', '--db', file, '--saga', '1', '--json']);
    assert.equal(exported.status, 0, exported.stderr);
    const doc = JSON.parse(exported.stdout) as { saga: { state: string; actions: { action: string; note: string; outcome: string }[]; input: { text: string } } };
    assert.equal(doc.saga.state, 'failed');
    assert.deepEqual(doc.saga.actions.map((a) => [a.action, a.note, a.outcome]), [['compensate', 'main died before the view', 'failed']]);
    assert.doesNotMatch(exported.stdout, /secret-token/, 'the export is redacted');
    assert.equal(runCli(['diag', '--db', file, '--saga', '7', '--json']).status, 2, 'no saga 7');
  });

  test('a crash inside compensate now is recovered like any compensation', async () => {
    const dir = await crashedOpen('open_workspace:1:after_outcome');
    const crashed = runCli(['compensate', '--user-data-dir', dir, '--saga', '1', '--note', 'first try', '--confirm-unknown'], { LAUNCHER_CRASH_AT: 'open_workspace:0:compensate_now_undo_pending' });
    assert.equal(crashed.status, null, 'SIGKILLed at the crash point');
    const diag = runCli(['diag', '--db', path.join(dir, LOG_FILE_NAME), '--saga', '1', '--json']);
    assert.match(diag.stdout, /"state": "compensating"/);
    const done = runCli(['compensate', '--user-data-dir', dir, '--saga', '1', '--note', 'second try', '--confirm-unknown']);
    assert.equal(done.status, 0, done.stderr);
    assert.equal(workspacesIn(dir), 0);
  });
});
