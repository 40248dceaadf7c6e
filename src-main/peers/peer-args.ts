// Command-line arguments main passes to a peer entry, checked with zod so a peer started
// wrongly says so instead of running half-configured.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { describeZodIssue } from '../../src-shared/zod-issue';

const PeerArgs = z.object({
  'user-data-dir': z.string().min(1),
  'session-entry': z.string().min(1).optional(),
});
export type PeerArgs = z.infer<typeof PeerArgs>;

export function parsePeerArgs(name: string, argv: string[]): PeerArgs {
  const { values } = parseArgs({
    args: argv,
    options: { 'user-data-dir': { type: 'string' }, 'session-entry': { type: 'string' } },
    strict: true,
  });
  const parsed = PeerArgs.safeParse(values);
  if (!parsed.success) {
    throw new Error(`peer ${name}: ${describeZodIssue(parsed.error, { pathPrefix: '--', whenNoPath: 'arguments' })}`);
  }
  return parsed.data;
}
