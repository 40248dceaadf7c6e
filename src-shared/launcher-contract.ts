// The launcher window's IPC contract: one channel that runs one of the domain's sagas, so a
// user can start sagas from buttons and watch them in the saga panel. Same envelope as the
// panel's contract; its own prefix so neither side's channel list can reach the other's.
import { z } from 'zod';
import { type ApiResult, ErrorResponse, errorResponse } from './ipc-contract';
import { SagaState } from './saga-model';

export const LAUNCHER_CHANNEL_PREFIX = 'launcher:';

export const LAUNCHER_CHANNELS = {
  runSaga: 'launcher:run-saga',
} as const;
export type LauncherChannel = (typeof LAUNCHER_CHANNELS)[keyof typeof LAUNCHER_CHANNELS];
export const LAUNCHER_CHANNEL_NAMES = Object.values(LAUNCHER_CHANNELS) as LauncherChannel[];

/** The sagas the launcher's buttons run. */
export const LauncherSaga = z.enum(['open_workspace', 'close_workspace']);
export type LauncherSaga = z.infer<typeof LauncherSaga>;

export const RunSagaRequest = z.strictObject({
  saga: LauncherSaga,
  /** A workspace name: a short identifier, never a path. */
  workspace: z
    .string()
    .trim()
    .min(1, 'a workspace needs a name')
    .max(64, 'a workspace name is at most 64 characters')
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a workspace name uses letters, digits, dot, dash and underscore'),
  /** Makes the saga's last step fail, so a user can watch compensation undo the earlier ones. */
  failLastStep: z.boolean().default(false),
});
export type RunSagaRequest = z.input<typeof RunSagaRequest>;

export const RunSagaResponse = z.object({
  sagaId: z.number().int().positive().nullable(),
  state: SagaState,
  failureReason: z.string().max(2048).nullable(),
});
export type RunSagaResponse = z.infer<typeof RunSagaResponse>;

export interface SagaLauncherApi {
  /** Runs the saga to its end (completed, failed or failed_compensation) and answers its outcome. */
  runSaga(request: RunSagaRequest): Promise<ApiResult<RunSagaResponse>>;
}

/** Global name of the API in the Electron renderer. */
export const LAUNCHER_API_GLOBAL = 'sagaLauncher';

export type LauncherInvoke = (channel: LauncherChannel, request: unknown) => Promise<unknown>;

export function isLauncherChannel(value: unknown): value is LauncherChannel {
  return typeof value === 'string' && (LAUNCHER_CHANNEL_NAMES as string[]).includes(value);
}

export function parseRunSagaResponse(raw: unknown): ApiResult<RunSagaResponse> {
  const err = ErrorResponse.safeParse(raw);
  if (err.success) return err.data;
  const ok = z.object({ ok: z.literal(true), data: RunSagaResponse }).safeParse(raw);
  if (ok.success) return ok.data;
  return errorResponse('internal', `The answer on ${LAUNCHER_CHANNELS.runSaga} did not match the contract.`);
}

export function createLauncherApi(invoke: LauncherInvoke): SagaLauncherApi {
  return {
    runSaga: async (request) => {
      try {
        return parseRunSagaResponse(await invoke(LAUNCHER_CHANNELS.runSaga, request));
      } catch (err) {
        return errorResponse(
          'internal',
          `The request on ${LAUNCHER_CHANNELS.runSaga} failed: ${err instanceof Error ? err.message : String(err)}.`,
        );
      }
    },
  };
}
