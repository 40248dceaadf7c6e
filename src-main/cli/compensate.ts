// `compensate --user-data-dir DIR --saga N --note TEXT [--confirm-unknown]`: an operator's
// "compensate now" from a terminal. It boots the profile like any launch (so it is refused, naming
// the pid, while the app runs there), undoes what the interrupted saga left done through the
// engine, prints the outcome and shuts down. Exit 0 when everything was undone, 1 when refused or
// an undo failed (the saga stays failed_compensation), 2 for bad usage.
import path from 'node:path';
import { z } from 'zod';
import { startSagaSubsystem } from '../boot/subsystem';
import { operatorName } from '../boot/operator-name';
import type { SagaApp } from '../ipc/saga-app';
import { intOption, parseCommandArgs } from './args';

const Options = z.object({
  'user-data-dir': z.string({ error: 'is required' }).min(1, 'must not be empty'),
  saga: intOption(1, Number.MAX_SAFE_INTEGER),
  note: z.string({ error: 'is required' }).trim().min(1, 'must not be empty').max(1000, 'must be at most 1000 characters'),
  'confirm-unknown': z.boolean().optional(),
});

export const COMPENSATE_USAGE = 'compensate --user-data-dir DIR --saga N --note TEXT [--confirm-unknown]';

export function compensateCommand(app: SagaApp): (argv: string[]) => Promise<number> {
  return async (argv) => {
    const options = parseCommandArgs(
      'compensate',
      argv,
      { 'user-data-dir': { type: 'string' }, saga: { type: 'string' }, note: { type: 'string' }, 'confirm-unknown': { type: 'boolean' } },
      Options,
    );
    const userDataDir = path.resolve(options['user-data-dir']);
    const subsystem = await startSagaSubsystem({ ...app.subsystem({ userDataDir }), userDataDir });
    const say = (line: string) => process.stdout.write(`${line}\n`);
    try {
      const operator = operatorName();
      const out = await subsystem.compensate(options.saga, { note: options.note, confirmUnknown: options['confirm-unknown'] === true, operator });
      const undone = out.compensated.length === 0 ? 'nothing was left to undo' : `undid step${out.compensated.length === 1 ? '' : 's'} ${out.compensated.join(', ')}`;
      say(`saga ${out.sagaId} ${out.name}: ${out.state} (${undone}; by ${operator})`);
      if (out.leftForRecovery !== null) say(`stopped before the end: ${out.leftForRecovery}`);
      else if (out.state !== 'failed') say(`reason: ${out.failureReason ?? ''}`);
      return out.state === 'failed' ? 0 : 1;
    } finally {
      await subsystem.shutdown();
    }
  };
}
