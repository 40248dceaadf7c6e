/** Bad usage or bad input: the CLI prints the message as one sentence and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
