// An app's main process: one saga with a `self` step (in main) and a step on the app's own host peer.
import path from 'node:path';
import { z } from 'zod';
import { defineSaga, startSagaSubsystem } from 'launcher-saga';

const greetUser = defineSaga({
  name: 'greet_user',
  input: z.object({ user: z.string().min(1) }),
  steps: [
    {
      name: 'remember',
      target: 'self',
      kind: 'compensatable',
      op: 'remember',
      undoOps: ['forget'],
      command: ({ input }) => ({ op: 'remember', user: input.user }),
      compensate: (command) => ({ op: 'forget', user: command.user }),
    },
    {
      name: 'greet',
      target: 'host',
      kind: 'read_only',
      op: 'greet',
      command: ({ input }) => ({ op: 'greet', user: input.user }),
    },
  ],
});

const remembered = new Set<string>();

const sagas = await startSagaSubsystem({
  userDataDir: path.join(import.meta.dirname, 'profile'),
  sagas: [greetUser],
  self: {
    remember: (command) => {
      remembered.add(String(command.user));
      return { remembered: remembered.size };
    },
    forget: (command) => ({ forgotten: remembered.delete(String(command.user)) }),
  },
  peers: { host: { entry: path.join(import.meta.dirname, 'host-peer.ts') } },
});

// What a crash left half-done, said before anything else runs.
for (const saga of sagas.recovery.marked) console.log(`recovered saga ${saga.sagaId}: ${saga.reason}`);

const outcome = await sagas.run(greetUser, { user: 'ada' });
console.log(`saga ${outcome.sagaId} ${outcome.state}: ${JSON.stringify(outcome.outputs[1])}`);
await sagas.shutdown();
