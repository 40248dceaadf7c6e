// The saga panel's IPC contract: every channel, its request and response schema, the typed
// error shape, and the API object the renderer talks through. Main (Electron IPC and the
// headless HTTP transport), preload and renderer all build on this one file.
import { z } from 'zod';
import {
  FailureKind,
  RecoveredSaga,
  MovedAsideFile,
  OperatorAction,
  ProvenOutcome,
  Review,
  SagaState,
  SagaSummary,
  StepRecord,
  UnreadableRecoveryReport,
  UnreadableSaga,
} from './saga-model';

/** Every channel carries this prefix; preload and main refuse anything else. */
export const CHANNEL_PREFIX = 'saga:';

export const CHANNELS = {
  list: 'saga:list',
  get: 'saga:get',
  payload: 'saga:payload',
  recoveryReports: 'saga:recovery-reports',
  review: 'saga:review',
  counts: 'saga:counts',
  compensate: 'saga:compensate',
  resolve: 'saga:resolve',
  reviewRecovery: 'saga:review-recovery',
  export: 'saga:export',
} as const;
export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];
export const CHANNEL_NAMES = Object.values(CHANNELS) as Channel[];

/** Main -> renderer push when a saga changes. */
export const PUSH_CHANNEL = 'saga:changed';

/**
 * Size caps, in UTF-8 bytes of the JSON-escaped text. They are chosen so that the largest
 * possible response (200 list rows, or a detail with the maximum steps) stays under
 * MAX_RESPONSE_BYTES whatever the log holds; test/ipc checks the worst case.
 */
export const LIMITS = {
  maxResponseBytes: 256 * 1024,
  listDefault: 50,
  listMax: 200,
  nameFilterMax: 200,
  noteMax: 1000,
  reportsMax: 4,
  /** Detail: the saga's input. */
  inputBytes: 16 * 1024,
  /** Detail: each step's command and output; saga:payload returns the full text up to payloadBytes. */
  stepPayloadBytes: 2 * 1024,
  payloadBytes: 128 * 1024,
  /** Detail: at most this many step rows; the first and last halves are kept, the middle omitted. */
  detailSteps: 40,
  /** Short texts in list rows and step rows. */
  listName: 96,
  listReason: 300,
  listNote: 160,
  detailReason: 2048,
  detailNote: 1024,
  shortText: 64,
  reportMarked: 50,
  reportMovedAside: 20,
  /** The key input shown in list rows (e.g. the workspace name). */
  keyInput: 64,
  searchTextMax: 200,
  /**
   * An input search reads at most this many sagas per request (newest first from the cursor)
   * and says where it stopped, so one request never holds the main process for long.
   */
  inputScanRows: 2000,
} as const;

const SagaId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const StepIndex = z.number().int().nonnegative().max(1_000_000);

// ---- requests -----------------------------------------------------------------------------
// strictObject: an unknown key is a malformed request, not something silently ignored.

const IsoTime = z.iso.datetime({ offset: true, error: 'must be a date and time like 2026-01-31T23:59:00Z' });

export const ListRequest = z
  .strictObject({
    limit: z.number().int().min(1).max(LIMITS.listMax).default(LIMITS.listDefault),
    state: SagaState.optional(),
    /** Exact saga name. */
    name: z.string().min(1).max(LIMITS.nameFilterMax).optional(),
    /** Part of a saga name, any case. */
    nameContains: z.string().trim().min(1).max(LIMITS.nameFilterMax).optional(),
    /** Text the input contains (ASCII letters in any case); bounded per request, see `scanEdgeId`. */
    inputContains: z.string().trim().min(1).max(LIMITS.searchTextMax).optional(),
    /** Started at or after / before these instants. */
    startedFrom: IsoTime.optional(),
    startedTo: IsoTime.optional(),
    /** Only the sagas the recovery of this launch (boot id) marked. */
    recoveredBy: z.string().min(1).max(LIMITS.shortText).optional(),
    /** Only sagas whose failure was of this kind; bounded per request like an input search (see `scanEdgeId`). */
    failureKind: FailureKind.optional(),
    hideReviewed: z.boolean().default(false),
    /** Cursor: the `nextCursor` of the previous page (only sagas with a smaller id). */
    beforeId: SagaId.optional(),
    /** Cursor for the newer page: the first id shown (only sagas with a larger id, nearest first). */
    afterId: SagaId.optional(),
  })
  .refine((r) => r.beforeId === undefined || r.afterId === undefined, { message: 'give beforeId or afterId, not both' });

export const GetRequest = z.strictObject({ sagaId: SagaId });

export const PayloadRequest = z.strictObject({
  sagaId: SagaId,
  /** 'input' is the saga's input; 'cmd' and 'output' need stepIndex. */
  field: z.enum(['input', 'cmd', 'output']),
  stepIndex: StepIndex.optional(),
});

export const RecoveryReportsRequest = z.strictObject({
  limit: z.number().int().min(1).max(LIMITS.reportsMax).default(1),
});

/** The reviewer's identity is not in the request: the host supplies it (the OS user running the app). */
export const ReviewRequest = z.strictObject({
  sagaId: SagaId,
  note: z.string().trim().min(1, 'a review needs a note').max(LIMITS.noteMax),
});

export const CountsRequest = z.strictObject({});

/** The operator's identity is not in the request either: the host records the OS user. */
export const CompensateRequest = z.strictObject({
  sagaId: SagaId,
  note: z.string().trim().min(1, 'compensate now needs a note').max(LIMITS.noteMax),
  /** The operator checked every in-flight step of unknown outcome by hand. */
  confirmUnknown: z.boolean().default(false),
});

export const ResolveRequest = z.strictObject({
  sagaId: SagaId,
  note: z.string().trim().min(1, 'resolving needs a note').max(LIMITS.noteMax),
});

export const ReviewRecoveryRequest = z.strictObject({
  bootId: z.string().min(1).max(LIMITS.shortText),
  note: z.string().trim().min(1, 'a review needs a note').max(LIMITS.noteMax),
});

/** One saga (whole, bounded like a detail) or one launch's recovery report, as a JSON document. */
export const ExportRequest = z.union([z.strictObject({ sagaId: SagaId }), z.strictObject({ bootId: z.string().min(1).max(LIMITS.shortText) })]);

// ---- responses ----------------------------------------------------------------------------

/** A text cut to a cap: `fullSize` is the original's UTF-8 size in bytes. */
export const BoundedText = z.object({
  text: z.string(),
  truncated: z.boolean(),
  fullSize: z.number().int().nonnegative(),
});
export type BoundedText = z.infer<typeof BoundedText>;

/** A list row: the summary and the one input field that tells rows of one saga apart. */
export const ListItem = SagaSummary.extend({
  /** The value of the saga's key input field (its definition names it; `name` by default), cut to 64 bytes. */
  keyInput: z.string().nullable(),
});
export type ListItem = z.infer<typeof ListItem>;

export const ListResponse = z.object({
  items: z.array(ListItem),
  /** Rows of this page the build cannot read, each with why; the readable rest is in `items`. */
  unreadable: z.array(UnreadableSaga),
  /** Pass as beforeId for the next (older) page; null when this page was the last. */
  nextCursor: SagaId.nullable(),
  /**
   * An input search that reached its per-request bound before filling the page stopped at this
   * id: the page holds the matches among the sagas above it, and `nextCursor` goes on below it.
   */
  scanEdgeId: SagaId.nullable(),
});

export const StepView = StepRecord.omit({ cmdJson: true, outputJson: true }).extend({
  cmd: BoundedText.nullable(),
  output: BoundedText.nullable(),
});
export type StepView = z.infer<typeof StepView>;

export const LogProofView = z.object({ outcome: ProvenOutcome, why: z.string() });

export const SagaDetailView = ListItem.extend({
  /** Set when the log proves no undo is needed: the panel offers to resolve it with this text. */
  provenOutcome: LogProofView.nullable(),
  /** Operator actions recorded on it (resolve, compensate now), oldest first; at most 20. */
  actions: z.array(OperatorAction),
  input: BoundedText,
  steps: z.array(StepView),
  stepsTotal: z.number().int().nonnegative(),
  /** Rows left out of `steps` (the middle of a very long saga), 0 normally. */
  stepsOmitted: z.number().int().nonnegative(),
});
export type SagaDetailView = z.infer<typeof SagaDetailView>;

export const GetResponse = z.object({ saga: SagaDetailView });

export const PayloadResponse = z.object({ payload: BoundedText.nullable() });

export const RecoveredSagaView = RecoveredSaga.extend({
  /** Reviewed since: the banner lists the sagas still waiting first. */
  reviewed: z.boolean(),
});

export const RecoveryReportView = z.object({
  bootId: z.string(),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  marked: z.array(RecoveredSagaView),
  /** How many of all the marked sagas (not only those in `marked`) still wait for a review. */
  unreviewedTotal: z.number().int().nonnegative(),
  markedTotal: z.number().int().nonnegative(),
  movedAside: z.array(MovedAsideFile),
  movedAsideTotal: z.number().int().nonnegative(),
});
export type RecoveryReportView = z.infer<typeof RecoveryReportView>;

export const RecoveryReportsResponse = z.object({
  /** This launch's boot id, so the panel can tell whether the newest report is from this launch. */
  currentBootId: z.string().nullable(),
  /** Newest first; a launch that marked and moved nothing writes no report. */
  reports: z.array(RecoveryReportView),
  /** Reports among the newest `limit` that cannot be read back, each with why. */
  unreadable: z.array(UnreadableRecoveryReport),
});

export const ReviewResponse = z.object({ sagaId: SagaId, review: Review });

/**
 * Counts of the states an operator acts on. Completed and failed are not counted: over a
 * million-row log that is a full index scan on every push.
 */
export const CountsResponse = z.object({
  running: z.number().int().nonnegative(),
  compensating: z.number().int().nonnegative(),
  failedCompensation: z.number().int().nonnegative(),
  unreviewed: z.number().int().nonnegative(),
});

export const CompensateResponse = z.object({
  sagaId: SagaId,
  /** failed when everything was undone, else failed_compensation (compensating: left for recovery). */
  state: SagaState,
  compensated: z.array(z.number().int().nonnegative()),
  failureReason: z.string().nullable(),
});

export const ResolveResponse = z.object({ sagaId: SagaId, state: ProvenOutcome });

export const ReviewRecoveryResponse = z.object({
  bootId: z.string(),
  reviewed: z.array(SagaId),
  skipped: z.array(SagaId),
});

/** An export: the same bounded, redacted views the panel shows, stamped with when and from which file version. */
export const ExportResponse = z.object({
  exportedAt: z.string(),
  schemaVersion: z.number().int(),
  saga: SagaDetailView.nullable(),
  recoveryReport: RecoveryReportView.nullable(),
});
export type ExportResponse = z.infer<typeof ExportResponse>;

export const SagaChangePush = z.object({
  sagaId: SagaId,
  name: z.string(),
  state: SagaState,
  stepIndex: z.number().int().nonnegative().nullable(),
});
export type SagaChangePush = z.infer<typeof SagaChangePush>;

// ---- envelope -----------------------------------------------------------------------------

export const ErrorCode = z.enum([
  'bad_request', // the request does not match the channel's schema
  'unknown_channel',
  'forbidden', // the sender is not one of ours
  'not_found',
  'conflict', // e.g. reviewing a saga that is not failed_compensation or already reviewed
  'read_only', // the log refuses writes (newer schema, read-only file)
  'busy',
  'unreadable', // the row exists but does not match the contract (written by another tool, say)
  'internal',
  'unreachable', // set on the page's side: the request never got an answer (the app is not running)
  'needs_confirmation', // compensate now: a step in flight has an unknown outcome; confirm it was checked by hand
  'refused', // an operator action this saga or this host does not allow (see the message)
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiError = z.object({ code: ErrorCode, message: z.string() });
export type ApiError = z.infer<typeof ApiError>;

export const ErrorResponse = z.object({ ok: z.literal(false), error: ApiError });
export type ErrorResponse = z.infer<typeof ErrorResponse>;

export type Ok<T> = { ok: true; data: T };
/** Every call answers an envelope instead of rejecting: a rejection crossing contextBridge loses its shape. */
export type ApiResult<T> = Ok<T> | ErrorResponse;

export const CHANNEL_SCHEMAS = {
  [CHANNELS.list]: { request: ListRequest, response: ListResponse },
  [CHANNELS.get]: { request: GetRequest, response: GetResponse },
  [CHANNELS.payload]: { request: PayloadRequest, response: PayloadResponse },
  [CHANNELS.recoveryReports]: { request: RecoveryReportsRequest, response: RecoveryReportsResponse },
  [CHANNELS.review]: { request: ReviewRequest, response: ReviewResponse },
  [CHANNELS.counts]: { request: CountsRequest, response: CountsResponse },
  [CHANNELS.compensate]: { request: CompensateRequest, response: CompensateResponse },
  [CHANNELS.resolve]: { request: ResolveRequest, response: ResolveResponse },
  [CHANNELS.reviewRecovery]: { request: ReviewRecoveryRequest, response: ReviewRecoveryResponse },
  [CHANNELS.export]: { request: ExportRequest, response: ExportResponse },
} as const;
type Schemas = typeof CHANNEL_SCHEMAS;

export type RequestIn<C extends Channel> = z.input<Schemas[C]['request']>;
export type RequestOf<C extends Channel> = z.output<Schemas[C]['request']>;
export type ResponseOf<C extends Channel> = z.output<Schemas[C]['response']>;

export type ListRequest = z.input<typeof ListRequest>;
export type ListResponse = ResponseOf<'saga:list'>;
export type GetResponse = ResponseOf<'saga:get'>;
export type PayloadRequest = z.input<typeof PayloadRequest>;
export type PayloadResponse = ResponseOf<'saga:payload'>;
export type RecoveryReportsResponse = ResponseOf<'saga:recovery-reports'>;
export type ReviewRequest = z.input<typeof ReviewRequest>;
export type ReviewResponse = ResponseOf<'saga:review'>;
export type CountsResponse = ResponseOf<'saga:counts'>;
export type CompensateRequest = z.input<typeof CompensateRequest>;
export type CompensateResponse = ResponseOf<'saga:compensate'>;
export type ResolveRequest = z.input<typeof ResolveRequest>;
export type ResolveResponse = ResponseOf<'saga:resolve'>;
export type ReviewRecoveryRequest = z.input<typeof ReviewRecoveryRequest>;
export type ReviewRecoveryResponse = ResponseOf<'saga:review-recovery'>;
export type ExportRequest = z.input<typeof ExportRequest>;

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNEL_NAMES as string[]).includes(value);
}

export function errorResponse(code: ErrorCode, message: string): ErrorResponse {
  return { ok: false, error: { code, message } };
}

/** Checks an answer from the other side of the boundary; anything off-contract becomes a typed error. */
export function parseResponse<C extends Channel>(channel: C, raw: unknown): ApiResult<ResponseOf<C>> {
  const err = ErrorResponse.safeParse(raw);
  if (err.success) return err.data;
  const envelope = z.object({ ok: z.literal(true), data: CHANNEL_SCHEMAS[channel].response }).safeParse(raw);
  if (envelope.success) return envelope.data as Ok<ResponseOf<C>>;
  return errorResponse('internal', `The answer on ${channel} did not match the contract.`);
}

// ---- the API object -----------------------------------------------------------------------

/**
 * What the renderer talks through. In Electron it is `window.sagaPanel`, exposed by the
 * preload via contextBridge; in a browser the panel builds the same object over HTTP.
 */
export interface SagaPanelApi {
  list(request?: ListRequest): Promise<ApiResult<ListResponse>>;
  get(sagaId: number): Promise<ApiResult<GetResponse>>;
  payload(request: PayloadRequest): Promise<ApiResult<PayloadResponse>>;
  recoveryReports(limit?: number): Promise<ApiResult<RecoveryReportsResponse>>;
  review(request: ReviewRequest): Promise<ApiResult<ReviewResponse>>;
  counts(): Promise<ApiResult<CountsResponse>>;
  compensate(request: CompensateRequest): Promise<ApiResult<CompensateResponse>>;
  resolve(request: ResolveRequest): Promise<ApiResult<ResolveResponse>>;
  reviewRecovery(request: ReviewRecoveryRequest): Promise<ApiResult<ReviewRecoveryResponse>>;
  exportJson(request: ExportRequest): Promise<ApiResult<ExportResponse>>;
  /** Calls `listener` with each change; returns the unsubscribe function. */
  onChange(listener: (change: SagaChangePush) => void): () => void;
  /**
   * Calls `listener` with 'open' each time pushes start (or resume) flowing and 'closed' when
   * they stop; a listener added while open hears 'open' once. Pushes sent while closed are
   * lost, so a panel reloads what it shows on every 'open'.
   */
  onConnection(listener: (state: ConnectionState) => void): () => void;
}

export type ConnectionState = 'open' | 'closed';

/** Global name of the API in the Electron renderer. */
export const PANEL_API_GLOBAL = 'sagaPanel';

export type Invoke = (channel: Channel, request: unknown) => Promise<unknown>;
export type SubscribeRaw = (listener: (raw: unknown) => void) => () => void;
export type SubscribeConnection = (listener: (state: ConnectionState) => void) => () => void;

/** A transport that cannot drop (Electron IPC) is open from the start: it says so once. */
const alwaysOpen: SubscribeConnection = (listener) => {
  let subscribed = true;
  // Asynchronously, like a transport that has to connect: the caller's setup finishes first.
  void Promise.resolve().then(() => {
    if (subscribed) listener('open');
  });
  return () => {
    subscribed = false;
  };
};

/**
 * Builds the API from a transport's primitives, so preload and the HTTP client expose
 * exactly the same shape and both check every answer against the contract. Without
 * `subscribeConnection` the transport counts as always open.
 */
export function createPanelApi(invoke: Invoke, subscribe: SubscribeRaw, subscribeConnection: SubscribeConnection = alwaysOpen): SagaPanelApi {
  const call = async <C extends Channel>(channel: C, request: unknown): Promise<ApiResult<ResponseOf<C>>> => {
    try {
      return parseResponse(channel, await invoke(channel, request));
    } catch (err) {
      return errorResponse('unreachable', `The app did not answer ${channel}: ${err instanceof Error ? err.message : String(err)}.`);
    }
  };
  return {
    list: (request = {}) => call(CHANNELS.list, request),
    get: (sagaId) => call(CHANNELS.get, { sagaId }),
    payload: (request) => call(CHANNELS.payload, request),
    recoveryReports: (limit = 1) => call(CHANNELS.recoveryReports, { limit }),
    review: (request) => call(CHANNELS.review, request),
    counts: () => call(CHANNELS.counts, {}),
    compensate: (request) => call(CHANNELS.compensate, request),
    resolve: (request) => call(CHANNELS.resolve, request),
    reviewRecovery: (request) => call(CHANNELS.reviewRecovery, request),
    exportJson: (request) => call(CHANNELS.export, request),
    onChange: (listener) =>
      subscribe((raw) => {
        const change = SagaChangePush.safeParse(raw);
        // A malformed push is dropped: the panel refreshes on the next good one.
        if (change.success) listener(change.data);
      }),
    onConnection: (listener) => subscribeConnection((state) => listener(state)),
  };
}
