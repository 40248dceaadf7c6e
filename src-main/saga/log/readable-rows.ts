// Rows are checked one by one against the contract before they are shown, so one row another
// tool wrote (a state this build does not know, a malformed report) is shown as unreadable,
// with why, instead of failing the whole page or report it sits in.
import { SagaDetail, SagaSummary, type UnreadableSaga } from '../../../src-shared/saga-model';
import { describeZodIssue } from '../../../src-shared/zod-issue';

export interface Sorted<T> {
  readable: T[];
  unreadable: UnreadableSaga[];
}

/** Splits summaries as the log read them into those that match the contract and those that do not. */
export function sortSummaries<T extends SagaSummary>(rows: readonly T[]): Sorted<T> {
  const out: Sorted<T> = { readable: [], unreadable: [] };
  for (const row of rows) {
    const checked = SagaSummary.safeParse(row);
    if (checked.success) out.readable.push(row);
    else out.unreadable.push({ sagaId: row.sagaId, why: `its row does not match this build's contract (${describeZodIssue(checked.error)})` });
  }
  return out;
}

/** Why a saga's full record cannot be shown, or null when it matches the contract. */
export function whyUnreadable(detail: SagaDetail): string | null {
  const checked = SagaDetail.safeParse(detail);
  return checked.success ? null : `its row does not match this build's contract (${describeZodIssue(checked.error)})`;
}
