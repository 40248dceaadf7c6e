// The CLI's help: one entry per command (what it does, every option, an example) and the
// formatter that prints `launcher-saga --help` and `launcher-saga <command> --help`.
// The option lists are also what an unknown-option error names.

export interface OptionHelp {
  /** The flag as typed, e.g. `--db`. */
  flag: string;
  /** Placeholder for the value, e.g. `FILE`; absent for a switch. */
  value?: string;
  description: string;
  required?: boolean;
  /** The value used when the option is left out. */
  default?: string;
}

export interface CommandHelp {
  name: string;
  /** One line, for the command list. */
  summary: string;
  /** A few sentences: what it does, what it never does. */
  description: string;
  options: readonly OptionHelp[];
  examples: readonly string[];
}

const STATES = 'running, completed, failed, compensating, failed_compensation';

export const COMMAND_HELP: Readonly<Record<'diag' | 'demo' | 'headless' | 'compensate', CommandHelp>> = {
  diag: {
    name: 'diag',
    summary: 'print the recent sagas of a saga log, with their steps, for triage',
    description:
      'Opens a saga log read-only (it never creates or changes the file, not even -wal or -shm ' +
      'beside it) and prints the most recent sagas, newest first: state, times (UTC), input ' +
      '(sensitive fields redacted, cut at 16 KB like the panel), each step with its target and ' +
      'outcome, and the step a crash left in flight. Also the latest recovery report.',
    options: [
      { flag: '--db', value: 'FILE', required: true, description: 'the saga log, e.g. <profile>/launcher-sagas.db' },
      { flag: '--json', description: 'print one JSON document instead of text' },
      { flag: '--state', value: 'STATE', description: `only sagas in this state: ${STATES}` },
      { flag: '--unreviewed', description: 'only failed_compensation sagas nobody has reviewed yet' },
      { flag: '--limit', value: 'N', default: '50', description: 'at most N sagas (1 to 10000)' },
      { flag: '--saga', value: 'N', description: 'only saga N, whole (every step), e.g. to export it with --json' },
      { flag: '--help', description: 'print this help' },
    ],
    examples: [
      'launcher-saga diag --db ./.demo-profile/launcher-sagas.db --saga 12 --json > saga-12.json',
      'launcher-saga diag --db ~/.config/launcher/launcher-sagas.db --unreviewed',
      'launcher-saga diag --db ./.demo-profile/launcher-sagas.db --state failed --limit 5 --json',
    ],
  },
  demo: {
    name: 'demo',
    summary: 'run many workspace sagas against real host and srv processes',
    description:
      'Boots the app on a profile folder (lock, log, recovery, peers) and runs open_workspace and ' +
      'close_workspace sagas, some with injected faults so compensation and failed_compensation ' +
      'show up. Prints a summary and where the log is; open it in the panel or with diag.',
    options: [
      { flag: '--user-data-dir', value: 'DIR', required: true, description: 'the profile folder (created if missing); the log is DIR/launcher-sagas.db' },
      { flag: '--sagas', value: 'N', required: true, description: 'how many sagas to run (1 to 100000)' },
      { flag: '--concurrency', value: 'C', default: '4', description: 'sagas running at once (1 to 256)' },
      { flag: '--fail-rate', value: 'R', default: '0', description: 'share of sagas given a fault, a fraction from 0 to 1, e.g. 0.2' },
      { flag: '--help', description: 'print this help' },
    ],
    examples: ['launcher-saga demo --user-data-dir ./.demo-profile --sagas 20 --fail-rate 0.2'],
  },
  headless: {
    name: 'headless',
    summary: 'run the app without Electron and serve the saga panel and launcher on 127.0.0.1',
    description:
      'Boots the app on a profile folder under plain Node and serves the saga panel and the ' +
      'launcher page to a browser on 127.0.0.1, behind a token in the URL it prints. Runs until ' +
      'Ctrl+C or SIGTERM, which stops it cleanly.',
    options: [
      { flag: '--user-data-dir', value: 'DIR', required: true, description: 'the profile folder (created if missing)' },
      { flag: '--port', value: 'N', default: '0', description: 'the port on 127.0.0.1, 0 to 65535; 0 picks a free one' },
      { flag: '--help', description: 'print this help' },
    ],
    examples: ['launcher-saga headless --user-data-dir ./.demo-profile --port 8417'],
  },
  compensate: {
    name: 'compensate',
    summary: "undo what an interrupted saga left done, as the panel's compensate now does",
    description:
      'Boots the profile like any launch (refused, naming the pid, while the app runs on it) and ' +
      'undoes the succeeded compensatable steps of one failed_compensation saga, newest first, ' +
      'each recorded before it is sent, as new rows; the action is recorded with the OS user and ' +
      'the note. Refused, with nothing written, while a step left in flight has an unknown ' +
      'outcome unless --confirm-unknown says it was checked by hand. Exit 0 when everything was ' +
      'undone (the saga ends failed), 1 when refused or an undo failed, 2 for bad usage.',
    options: [
      { flag: '--user-data-dir', value: 'DIR', required: true, description: 'the profile folder the app runs on' },
      { flag: '--saga', value: 'N', required: true, description: 'the failed_compensation saga to compensate' },
      { flag: '--note', value: 'TEXT', required: true, description: 'why, recorded with the action (1 to 1000 characters)' },
      { flag: '--confirm-unknown', description: 'the in-flight step(s) of unknown outcome were checked by hand' },
      { flag: '--help', description: 'print this help' },
    ],
    examples: ["launcher-saga compensate --user-data-dir ~/.config/launcher --saga 12 --note 'session 3 is gone' --confirm-unknown"],
  },
};

export type CommandName = keyof typeof COMMAND_HELP;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_HELP, name);
}

/** `--help` or `-h` anywhere in a command's arguments. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

function optionLine(o: OptionHelp, width: number): string {
  const flag = o.value ? `${o.flag} ${o.value}` : o.flag;
  const notes = [o.required ? 'required' : null, o.default !== undefined ? `default ${o.default}` : null].filter(Boolean);
  return `  ${flag.padEnd(width)}  ${o.description}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

function usageLine(c: CommandHelp): string {
  const parts = c.options
    .filter((o) => o.flag !== '--help')
    .map((o) => {
      const text = o.value ? `${o.flag} ${o.value}` : o.flag;
      return o.required ? text : `[${text}]`;
    });
  return `launcher-saga ${c.name} ${parts.join(' ')}`;
}

/** `launcher-saga <command> --help`. */
export function formatCommandHelp(name: CommandName): string {
  const c = COMMAND_HELP[name];
  const width = Math.max(...c.options.map((o) => (o.value ? `${o.flag} ${o.value}` : o.flag).length));
  return [
    `usage: ${usageLine(c)}`,
    '',
    c.description,
    '',
    'options:',
    ...c.options.map((o) => optionLine(o, width)),
    '',
    c.examples.length === 1 ? 'example:' : 'examples:',
    ...c.examples.map((e) => `  ${e}`),
    '',
  ].join('\n');
}

/** `launcher-saga --help`: every command in a line, and where to read more. */
export function formatMainHelp(): string {
  const names = Object.keys(COMMAND_HELP) as CommandName[];
  const width = Math.max(...names.map((n) => n.length));
  return [
    'usage: launcher-saga <command> [options]',
    '',
    "The saga subsystem of the launcher app, from a terminal: inspect a saga log, run the demo,",
    'run the app headless with its panel in a browser, or compensate an interrupted saga.',
    '',
    'commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${COMMAND_HELP[n].summary}`),
    '',
    'Run `launcher-saga <command> --help` for its options and an example.',
    '',
  ].join('\n');
}

/** The flags a command takes, for an error about an option it does not know. */
export function flagsOf(name: string): string[] {
  return isCommandName(name) ? COMMAND_HELP[name].options.map((o) => o.flag) : [];
}
