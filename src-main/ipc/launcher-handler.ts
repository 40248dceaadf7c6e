// Main's side of the launcher window's channel: validate, run the saga, answer an envelope.
// It never throws: a rejection crossing contextBridge would lose its shape.
import { type ApiResult, type ErrorCode, errorResponse } from '../../src-shared/ipc-contract';
import {
  type LauncherSaga,
  type RunSagaResponse,
  LAUNCHER_CHANNELS,
  RunSagaRequest,
  isLauncherChannel,
} from '../../src-shared/launcher-contract';
import { sagaErrorCode } from './error-codes';
import { describeZodIssue } from '../../src-shared/zod-issue';

/** Runs one launcher saga to its end. Supplied by main.ts from the domain's definitions. */
export type RunLauncherSaga = (request: { saga: LauncherSaga; workspace: string; failLastStep: boolean }) => Promise<RunSagaResponse>;

/** A refusal the user should read as is (e.g. closing a workspace that is not open). */
export class LauncherRefusal extends Error {
  override readonly name = 'LauncherRefusal';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface LauncherHandler {
  handle(channel: string, rawRequest: unknown, sender: { trusted: boolean }): Promise<ApiResult<RunSagaResponse>>;
}

export function createLauncherHandler(run: RunLauncherSaga): LauncherHandler {
  return {
    async handle(channel, rawRequest, sender) {
      if (sender.trusted !== true) return errorResponse('forbidden', 'This window may not run sagas.');
      if (!isLauncherChannel(channel)) return errorResponse('unknown_channel', `There is no launcher channel named ${String(channel).slice(0, 64)}.`);
      if (channel !== LAUNCHER_CHANNELS.runSaga) return errorResponse('unknown_channel', 'Unknown launcher channel.');
      const parsed = RunSagaRequest.safeParse(rawRequest);
      if (!parsed.success) {
        return errorResponse('bad_request', `The run request is invalid: ${describeZodIssue(parsed.error)}.`);
      }
      try {
        return { ok: true, data: await run(parsed.data) };
      } catch (err) {
        if (err instanceof LauncherRefusal) return errorResponse(err.code, err.message);
        const message = err instanceof Error ? err.message : String(err);
        const code = sagaErrorCode(err);
        if (code !== null) return errorResponse(code, `The saga could not be run: ${message.slice(0, 500)}`);
        return errorResponse('internal', `The saga could not be run: ${message.slice(0, 500)}`);
      }
    },
  };
}
