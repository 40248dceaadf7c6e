// An operator action refused before anything was written, with a code a host can branch on
// (the panel asks for confirmation on `unknown_outcome`; the CLI exits 1 on any of them).
import { z } from 'zod';

export const OperatorRefusal = z.enum([
  'not_found', // no such saga
  'wrong_state', // only a failed_compensation saga can be compensated or resolved
  'being_compensated', // an operator's compensation of it is under way
  'unknown_outcome', // a step left in flight has an unknown outcome and the operator did not confirm
  'read_only', // the log takes no writes
  'shutting_down',
  'unknown_saga', // the saga's definition is not one this app gave (or its steps differ from the log)
  'redacted_field', // an undo would need a value the log holds only as [redacted]
  'undo_unbuildable', // an undo command cannot be built from what the log holds
  'not_proven', // resolve: the log does not prove how the saga ended
  'final_applied', // compensate: a final (irreversible) step was applied, so undoing the others would leave a half-state
]);
export type OperatorRefusal = z.infer<typeof OperatorRefusal>;

export class OperatorActionError extends Error {
  override readonly name = 'OperatorActionError';
  constructor(
    readonly code: OperatorRefusal,
    message: string,
  ) {
    super(message);
  }
}
