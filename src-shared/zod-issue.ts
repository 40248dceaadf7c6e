// One line for a failed zod parse, the same everywhere an error names what was wrong:
// the first issue only (the rest usually follow from it), as `path.to.field: message`.

/** The part of a ZodError this reads, so callers need not import zod's types. */
export interface IssueList {
  readonly issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[];
}

export interface DescribeIssueOptions {
  /** Put before the path, e.g. '--' when the fields are command-line options. */
  pathPrefix?: string;
  /** Names the subject when the issue is about the value as a whole (an empty path). */
  whenNoPath?: string;
}

export function describeZodIssue(error: IssueList, options: DescribeIssueOptions = {}): string {
  const issue = error.issues[0];
  const message = issue?.message ?? 'invalid';
  const where = issue && issue.path.length > 0 ? `${options.pathPrefix ?? ''}${issue.path.map(String).join('.')}` : (options.whenNoPath ?? '');
  return where ? `${where}: ${message}` : message;
}
