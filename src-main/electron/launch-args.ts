// The switches the Electron host reads from its command line. Electron's argv also carries
// the executable, the app path and Chromium's own switches, so unknown arguments are
// ignored here rather than refused.
import path from 'node:path';
import { z } from 'zod';
import { describeZodIssue } from '../../src-shared/zod-issue';

export interface LaunchArgs {
  /** Absolute profile directory from --user-data-dir, or null for the OS default. */
  userDataDir: string | null;
  /** --saga-panel: open the saga panel at launch (or, in a second launch, in the first). */
  sagaPanel: boolean;
}

const UserDataDir = z
  .string('--user-data-dir needs a directory')
  .min(1, '--user-data-dir needs a directory')
  .refine((s) => !s.includes('\0'), '--user-data-dir holds a NUL byte');

/** Throws an Error with one clear sentence when --user-data-dir is given without a usable value. */
export function parseLaunchArgs(argv: readonly string[], cwd: string): LaunchArgs {
  let userDataDir: string | null = null;
  let sagaPanel = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--saga-panel') sagaPanel = true;
    else if (arg === '--user-data-dir' || arg.startsWith('--user-data-dir=')) {
      const value = arg === '--user-data-dir' ? argv[++i] : arg.slice('--user-data-dir='.length);
      const parsed = UserDataDir.safeParse(value);
      if (!parsed.success) throw new Error(describeZodIssue(parsed.error));
      if (parsed.data.startsWith('--')) throw new Error('--user-data-dir needs a directory');
      userDataDir = path.resolve(cwd, parsed.data);
    }
  }
  return { userDataDir, sagaPanel };
}
