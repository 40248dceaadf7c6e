// The `launcher-saga` bin (dist/cli/launcher-saga.js): the subsystem's command line run with the
// workspace app. This process IS the main process (no wrapper), so a SIGKILL of its pid is a
// crash of main and the peers notice it.
import { COMPENSATE_USAGE, DIAG_USAGE, HEADLESS_USAGE, compensateCommand, headlessCommand, runCommandLine, runDiag } from '../index';
import { workspaceApp } from './app';
import { DEMO_USAGE, runDemo } from './demo';

const app = workspaceApp();

runCommandLine({
  name: 'launcher-saga',
  usage: [DIAG_USAGE, DEMO_USAGE, HEADLESS_USAGE, COMPENSATE_USAGE],
  commands: {
    diag: runDiag,
    demo: (argv) => runDemo(app, argv),
    headless: headlessCommand(app),
    compensate: compensateCommand(app),
  },
});
