// The envelope code for an error the saga layer throws, shared by every channel so a
// read-only log or a shutdown reads the same on the panel and on the launcher.
import type { ErrorCode } from '../../src-shared/ipc-contract';
import { SagaInputError, SagaRefusedError } from '../saga/coordinator';
import { SagaLogError } from '../saga/log/errors';

export function logErrorCode(err: SagaLogError): ErrorCode {
  switch (err.code) {
    case 'not_found':
      return 'not_found';
    case 'invalid_transition':
    case 'duplicate':
      return 'conflict';
    case 'read_only':
    case 'newer_schema':
      return 'read_only';
    case 'busy':
      return 'busy';
    default:
      return 'internal';
  }
}

/** The code for what the saga layer threw, or null when it is not one of its known refusals. */
export function sagaErrorCode(err: unknown): ErrorCode | null {
  if (err instanceof SagaInputError) return 'bad_request';
  // Shutting down passes (busy: try again after the relaunch); a read-only log does not.
  if (err instanceof SagaRefusedError) return err.reason === 'read_only' ? 'read_only' : 'busy';
  if (err instanceof SagaLogError) return logErrorCode(err);
  return null;
}
