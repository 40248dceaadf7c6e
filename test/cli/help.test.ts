// The CLI's help texts and its error wording: every option described, an example per command,
// and errors that name the option and what it allows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { intOption, parseCommandArgs, plainParseError } from '../../src-main/cli/args';
import { COMMAND_HELP, formatCommandHelp, formatMainHelp, wantsHelp } from '../../src-main/cli/help';
import { UsageError } from '../../src-main/cli/usage-error';
import { SagaState } from '../../src-shared/saga-model';
import { runCli } from '../helpers/cli';

const Schema = z.object({
  db: z.string({ error: 'is required' }).min(1),
  port: intOption(0, 65535).optional(),
  state: SagaState.optional(),
  json: z.boolean().optional(),
});
const OPTIONS = { db: { type: 'string' }, port: { type: 'string' }, state: { type: 'string' }, json: { type: 'boolean' } } as const;

function usageError(argv: string[]): string {
  try {
    parseCommandArgs('diag', argv, OPTIONS, Schema);
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`);
    return err.message;
  }
  assert.fail(`expected ${argv.join(' ')} to be refused`);
}

describe('CLI help', () => {
  test('the main help lists every command with its summary and says how to get more', () => {
    const text = formatMainHelp();
    for (const [name, c] of Object.entries(COMMAND_HELP)) assert.match(text, new RegExp(`^  ${name} +${c.summary}$`, 'm'));
    assert.match(text, /launcher-saga <command> --help/);
  });

  test("each command's help has a usage line, a description, every option and an example", () => {
    for (const name of ['diag', 'demo', 'headless'] as const) {
      const text = formatCommandHelp(name);
      assert.match(text, new RegExp(`^usage: launcher-saga ${name} `));
      assert.ok(text.includes(COMMAND_HELP[name].description));
      for (const o of COMMAND_HELP[name].options) {
        assert.match(text, new RegExp(`^  ${o.flag}${o.value ? ` ${o.value}` : ''} +${o.description.replace(/[()[\]+.*?^$|\\]/g, '\\$&')}`, 'm'), `${name} ${o.flag}`);
      }
      assert.match(text, /^examples?:\n  launcher-saga /m);
    }
    assert.match(formatCommandHelp('headless'), /--port N +.*\(default 0\)/);
    assert.match(formatCommandHelp('diag'), /--db FILE +.*\(required\)/);
    assert.match(formatCommandHelp('diag'), /\[--unreviewed\]/);
  });

  test('--help and -h anywhere ask for help', () => {
    assert.equal(wantsHelp(['--db', 'x', '--help']), true);
    assert.equal(wantsHelp(['-h']), true);
    assert.equal(wantsHelp(['--db', 'help']), false);
  });
});

describe('CLI errors in plain words', () => {
  test('a number out of range names the option, the bound and what was given', () => {
    assert.equal(usageError(['--db', 'f', '--port', '70000']), "diag: --port must be at most 65535 (got '70000')");
    assert.equal(usageError(['--db', 'f', '--port', 'abc']), "diag: --port: expected a whole number (got 'abc')");
  });

  test('a missing or empty required option, a value not in the list, a switch given a value', () => {
    assert.equal(usageError([]), 'diag: --db is required');
    assert.equal(usageError(['--db', '']), 'diag: --db is required');
    assert.equal(
      usageError(['--db', 'f', '--state', 'broken']),
      "diag: --state must be one of running, completed, failed, compensating, failed_compensation (got 'broken')",
    );
    assert.equal(usageError(['--db', 'f', '--json=yes']), 'diag: --json is a switch and takes no value');
    assert.equal(usageError(['--db']), 'diag: --db needs a value, e.g. --db VALUE');
  });

  test('an unknown option lists the ones the command takes', () => {
    assert.equal(
      usageError(['--db', 'f', '--colour']),
      "diag: unknown option '--colour'; diag takes --db, --json, --state, --unreviewed, --limit, --saga, --help (see launcher-saga diag --help)",
    );
    assert.match(plainParseError('diag', "Unexpected argument 'x'. This command does not take positional arguments"), /^unexpected argument 'x'/);
  });
});

describe('the built bin answers --help', () => {
  test('launcher-saga --help and <command> --help print help on stdout and exit 0; nothing else runs', () => {
    const main = runCli(['--help']);
    assert.equal(main.status, 0, main.stderr);
    assert.match(main.stdout, /^commands:$/m);
    for (const name of ['diag', 'demo', 'headless']) {
      const r = runCli([name, '--help']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^usage: launcher-saga ${name} `, 'm'));
      assert.match(r.stdout, /^examples?:$/m);
    }
    // `demo --help` with no profile must not boot anything: it only prints.
    assert.equal(runCli(['demo', '--help', '--user-data-dir', '/nonexistent/never-created']).status, 0);
  });

  test('bad usage is exit 2 with one plain sentence naming the option', () => {
    const r = runCli(['headless', '--port', '99999', '--user-data-dir', '/tmp']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--port must be at most 65535 \(got '99999'\)/);
  });
});
