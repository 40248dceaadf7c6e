// The saga panel's request handlers. They know nothing of how messages travel (Electron IPC
// or the headless HTTP transport): each request is checked against the contract and every
// answer is an envelope, never a thrown error, because the renderer is untrusted input.
import {
  type ApiResult,
  type Channel,
  type ErrorCode,
  type ErrorResponse,
  type RecoveryReportView,
  type RequestOf,
  type ResponseOf,
  type SagaChangePush,
  type SagaDetailView,
  type StepView,
  CHANNEL_SCHEMAS,
  CHANNELS,
  LIMITS,
  errorResponse,
  isChannel,
} from '../../src-shared/ipc-contract';
import type { OperatorAction, RecoveryReport, SagaDetail, SagaSummary, StepRecord } from '../../src-shared/saga-model';
import { SagaLogError } from '../saga/log/errors';
import { SagaInputError } from '../saga/coordinator';
import { provenByLog } from '../saga/log-proof';
import { OperatorActionError, type OperatorRefusal } from '../saga/operator-errors';
import type { CompensateNowOutcome } from '../saga/coordinator';
import type { ResolveOutcome, ReviewRecoveryOutcome } from '../saga/operator-actions';
import type { SagaLog } from '../saga/log/saga-log';
import { sortSummaries, whyUnreadable } from '../saga/log/readable-rows';
import type { SagaEvents } from '../saga/saga-events';
import { boundNullable, boundText, clipNullable, clipText } from './bounds';
import { logErrorCode } from './error-codes';
import { type IssueList, describeZodIssue } from '../../src-shared/zod-issue';

/** Who sent a request, as the transport established it (Electron: sender frame check; HTTP: token). */
export interface Sender {
  trusted: boolean;
}

/** The operator actions a booted subsystem offers (its `compensate`, `resolve`, `reviewRecovery`). */
export interface OperatorActions {
  compensate(sagaId: number, request: { note: string; confirmUnknown?: boolean; operator?: string }): Promise<CompensateNowOutcome>;
  resolve(sagaId: number, request: { note: string; operator?: string }): ResolveOutcome;
  reviewRecovery(bootId: string, request: { note: string; operator?: string }): ReviewRecoveryOutcome;
}

export interface SagaHandlerDeps {
  /** Absent (a panel over a bare log): compensate, resolve and review-recovery answer `refused`. */
  operator?: OperatorActions;
  log: SagaLog;
  events: SagaEvents;
  /** Recorded as `reviewedBy`: the OS user running the app, never a name the renderer claims. */
  reviewer: string;
  /** This launch's boot id, so the panel can tell a report of this launch from older ones. */
  bootId?: string | null;
  /**
   * Per saga name, the top-level input field that tells its runs apart (open_workspace: `name`),
   * as the saga definitions declare it; sagas not listed use `name` when their input has one.
   */
  keyInputFields?: Readonly<Record<string, string>>;
}

/** A key input field is a plain top-level name: it goes into a JSON path. */
export const KEY_INPUT_FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const DEFAULT_KEY_INPUT_FIELD = 'name';

export type HandlerResponse = ApiResult<unknown>;

export interface SagaHandlers {
  handle(channel: string, rawRequest: unknown, sender: Sender): Promise<HandlerResponse>;
  /** Pushes for the panel; returns the unsubscribe function. */
  subscribe(listener: (change: SagaChangePush) => void): () => void;
}

const REPORTS_REASON_BYTES = 300;
const STEP_REASON_BYTES = 512;

function clipSummary<T extends SagaSummary>(s: T, reasonBytes: number, noteBytes: number): T {
  return {
    ...s,
    name: clipText(s.name, LIMITS.listName),
    startedAt: clipText(s.startedAt, LIMITS.shortText),
    endedAt: clipNullable(s.endedAt, LIMITS.shortText),
    failureReason: clipNullable(s.failureReason, reasonBytes),
    bootId: clipNullable(s.bootId, LIMITS.shortText),
    lastActivityAt: clipNullable(s.lastActivityAt, LIMITS.shortText),
    inFlightStep: s.inFlightStep && { ...s.inFlightStep, name: clipText(s.inFlightStep.name, LIMITS.listName) },
    review: s.review && {
      reviewedAt: clipText(s.review.reviewedAt, LIMITS.shortText),
      reviewedBy: clipText(s.review.reviewedBy, LIMITS.shortText),
      note: clipText(s.review.note, noteBytes),
    },
  };
}

function stepView(step: StepRecord): StepView {
  const { cmdJson, outputJson, ...rest } = step;
  return {
    ...rest,
    name: clipText(step.name, LIMITS.listName),
    startedAt: clipText(step.startedAt, LIMITS.shortText),
    endedAt: clipNullable(step.endedAt, LIMITS.shortText),
    failureReason: clipNullable(step.failureReason, STEP_REASON_BYTES),
    idempotencyKey: clipNullable(step.idempotencyKey, LIMITS.shortText * 2),
    reconciliation:
      step.reconciliation === null
        ? null
        : {
            answer: step.reconciliation.answer,
            why: clipText(step.reconciliation.why, STEP_REASON_BYTES),
            source: clipText(step.reconciliation.source, LIMITS.shortText),
            at: clipText(step.reconciliation.at, LIMITS.shortText),
          },
    cmd: boundNullable(cmdJson, LIMITS.stepPayloadBytes),
    output: boundNullable(outputJson, LIMITS.stepPayloadBytes),
  };
}

const DETAIL_ACTIONS = 20;

export function detailView(d: SagaDetail, keyInput: string | null = null, actions: readonly OperatorAction[] = []): SagaDetailView {
  const { inputJson, steps, ...summary } = d;
  const proof = d.state === 'failed_compensation' ? provenByLog(steps, d.plannedSteps) : null;
  // A pathological saga with thousands of rows keeps its start and its end (where the crash is).
  const half = LIMITS.detailSteps / 2;
  const kept = steps.length > LIMITS.detailSteps ? [...steps.slice(0, half), ...steps.slice(-half)] : steps;
  return {
    ...clipSummary(summary, LIMITS.detailReason, LIMITS.detailNote),
    keyInput: keyInput === null ? null : clipText(keyInput, LIMITS.keyInput),
    provenOutcome: proof && { outcome: proof.outcome, why: clipText(proof.why, LIMITS.detailReason) },
    actions: actions.slice(-DETAIL_ACTIONS).map((a) => ({
      ...a,
      doneBy: clipText(a.doneBy, LIMITS.shortText),
      note: clipText(a.note, LIMITS.detailNote),
      at: clipText(a.at, LIMITS.shortText),
      outcome: clipNullable(a.outcome, LIMITS.shortText),
    })),
    input: boundText(inputJson, LIMITS.inputBytes),
    steps: kept.map(stepView),
    stepsTotal: steps.length,
    stepsOmitted: steps.length - kept.length,
  };
}

function reportView(r: RecoveryReport, reviewed: ReadonlySet<number>): RecoveryReportView {
  return {
    bootId: clipText(r.bootId, LIMITS.shortText),
    startedAt: clipText(r.startedAt, LIMITS.shortText),
    durationMs: r.durationMs,
    marked: r.marked.slice(0, LIMITS.reportMarked).map((m) => ({
      ...m,
      reviewed: reviewed.has(m.sagaId),
      name: clipText(m.name, LIMITS.listName),
      reason: clipText(m.reason, REPORTS_REASON_BYTES),
      inFlightStep: m.inFlightStep && { ...m.inFlightStep, name: clipText(m.inFlightStep.name, LIMITS.listName) },
    })),
    markedTotal: r.marked.length,
    unreviewedTotal: r.marked.filter((m) => !reviewed.has(m.sagaId)).length,
    movedAside: r.movedAside.slice(0, LIMITS.reportMovedAside).map((f) => ({
      from: clipText(f.from, REPORTS_REASON_BYTES),
      to: clipText(f.to, REPORTS_REASON_BYTES),
      reason: clipText(f.reason, REPORTS_REASON_BYTES),
    })),
    movedAsideTotal: r.movedAside.length,
  };
}

class HandlerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const REFUSAL_CODES: Record<OperatorRefusal, ErrorCode> = {
  not_found: 'not_found',
  wrong_state: 'conflict',
  being_compensated: 'conflict',
  not_proven: 'conflict',
  unknown_outcome: 'needs_confirmation',
  read_only: 'read_only',
  shutting_down: 'refused',
  unknown_saga: 'refused',
  redacted_field: 'refused',
  undo_unbuildable: 'refused',
  final_applied: 'conflict',
};

function toErrorResponse(err: unknown, channel: string): ErrorResponse {
  if (err instanceof HandlerError) return errorResponse(err.code, err.message);
  if (err instanceof OperatorActionError) return errorResponse(REFUSAL_CODES[err.code], clipText(err.message, LIMITS.detailReason));
  if (err instanceof SagaInputError) return errorResponse('bad_request', clipText(err.message, LIMITS.detailReason));
  if (err instanceof SagaLogError) return errorResponse(logErrorCode(err), err.message);
  const message = err instanceof Error ? err.message : String(err);
  return errorResponse('internal', `${channel} failed inside the app: ${message}`);
}

function describeIssue(channel: string, error: IssueList): string {
  // The message comes from our schema, but the path can echo a renderer-chosen key: keep it short.
  return clipText(`Malformed request on ${channel}: ${describeZodIssue(error)}.`, 300);
}

export function createSagaHandlers(deps: SagaHandlerDeps): SagaHandlers {
  const { log, events } = deps;
  const keyFields = deps.keyInputFields ?? {};
  for (const [saga, field] of Object.entries(keyFields)) {
    if (!KEY_INPUT_FIELD.test(field)) throw new Error(`saga '${saga}': key input field '${field}' must be a plain top-level field name`);
  }
  const keyInputs = (ids: number[]) => log.keyInputsOf(ids, keyFields, DEFAULT_KEY_INPUT_FIELD);

  /** Partial name search: matched against the distinct names (a handful), never the rows. */
  function namesFor(req: RequestOf<'saga:list'>): string[] | undefined {
    if (req.nameContains === undefined) return req.name === undefined ? undefined : [req.name];
    const part = req.nameContains.toLowerCase();
    const names = log.sagaNames().filter((n) => n.toLowerCase().includes(part));
    return req.name === undefined ? names : names.filter((n) => n === req.name);
  }

  /** A time range as an id range: ids are issued in start order (see SagaLog.idStartedAtOrAfter). */
  function idRange(req: RequestOf<'saga:list'>): { minId?: number; maxId?: number } | null {
    const out: { minId?: number; maxId?: number } = {};
    if (req.startedFrom !== undefined) {
      const first = log.idStartedAtOrAfter(new Date(req.startedFrom).toISOString());
      if (first === null) return null;
      out.minId = first;
    }
    if (req.startedTo !== undefined) {
      const after = log.idStartedAtOrAfter(new Date(req.startedTo).toISOString());
      if (after !== null) out.maxId = after - 1;
    }
    return out;
  }

  const operator = (): OperatorActions => {
    if (!deps.operator) throw new HandlerError('refused', 'This host offers no operator actions: it serves the panel over a log without the app running.');
    return deps.operator;
  };
  /** One saga's detail for the panel or an export; a missing or unreadable row is a typed error saying which. */
  function readableDetail(sagaId: number, verb: 'shown' | 'exported') {
    const d = log.saga(sagaId);
    if (!d) throw new HandlerError('not_found', `There is no saga ${sagaId} in the log.`);
    const why = whyUnreadable(d);
    if (why !== null) throw new HandlerError('unreadable', clipText(`Saga ${sagaId} cannot be ${verb}: ${why}.`, LIMITS.detailReason));
    return detailView(d, keyInputs([d.sagaId]).get(d.sagaId) ?? null, log.operatorActions(d.sagaId));
  }
  function exportReport(bootId: string): RecoveryReportView {
    const report = log.readRecoveryReports(1, bootId).reports[0];
    if (!report) throw new HandlerError('not_found', `There is no readable recovery report of launch ${clipText(bootId, LIMITS.shortText)}.`);
    return reportView(report, log.reviewedAmong(report.marked.map((m) => m.sagaId)));
  }

  const run: { [C in Channel]: (req: RequestOf<C>) => ResponseOf<C> | Promise<ResponseOf<C>> } = {
    [CHANNELS.list]: (req) => {
      const range = idRange(req);
      const { rows, scanEdgeId } =
        range === null
          ? { rows: [], scanEdgeId: null }
          : log.search({
              limit: req.limit,
              state: req.state,
              names: namesFor(req),
              beforeId: req.beforeId,
              afterId: req.afterId,
              hideReviewed: req.hideReviewed,
              recoveredBy: req.recoveredBy,
              inputContains: req.inputContains,
              failureKind: req.failureKind,
              inputScanRows: LIMITS.inputScanRows,
              ...range,
            });
      const keys = keyInputs(rows.map((r) => r.sagaId));
      const last = rows[rows.length - 1];
      const { readable, unreadable } = sortSummaries(rows);
      return {
        items: readable.map((s) => {
          const key = keys.get(s.sagaId);
          return { ...clipSummary(s, LIMITS.listReason, LIMITS.listNote), keyInput: key === undefined ? null : clipText(key, LIMITS.keyInput) };
        }),
        unreadable: unreadable.map((u) => ({ sagaId: u.sagaId, why: clipText(u.why, LIMITS.listReason) })),
        // A short page is the last one: no cursor, so the panel need not ask for an empty page;
        // an input search that stopped at its bound goes on below where it stopped.
        nextCursor: scanEdgeId ?? (rows.length === req.limit && last ? last.sagaId : null),
        scanEdgeId,
      };
    },
    [CHANNELS.get]: (req) => ({ saga: readableDetail(req.sagaId, 'shown') }),
    [CHANNELS.payload]: (req) => {
      const d = log.saga(req.sagaId);
      if (!d) throw new HandlerError('not_found', `There is no saga ${req.sagaId} in the log.`);
      if (req.field === 'input') return { payload: boundText(d.inputJson, LIMITS.payloadBytes) };
      if (req.stepIndex === undefined) {
        throw new HandlerError('bad_request', `Malformed request on ${CHANNELS.payload}: stepIndex is required for '${req.field}'.`);
      }
      const step = d.steps.find((s) => s.stepIndex === req.stepIndex);
      if (!step) throw new HandlerError('not_found', `Saga ${req.sagaId} has no step ${req.stepIndex}.`);
      return { payload: boundNullable(req.field === 'cmd' ? step.cmdJson : step.outputJson, LIMITS.payloadBytes) };
    },
    [CHANNELS.recoveryReports]: (req) => {
      const { reports, unreadable } = log.readRecoveryReports(req.limit);
      const reviewed = log.reviewedAmong(reports.flatMap((r) => r.marked.map((m) => m.sagaId)));
      return {
        currentBootId: deps.bootId ?? null,
        reports: reports.map((r) => reportView(r, reviewed)),
        unreadable: unreadable.map((u) => ({
          reportId: u.reportId,
          bootId: clipNullable(u.bootId, LIMITS.shortText),
          startedAt: clipNullable(u.startedAt, LIMITS.shortText),
          why: clipText(u.why, REPORTS_REASON_BYTES),
        })),
      };
    },
    [CHANNELS.review]: (req) => {
      log.markReviewed(req.sagaId, deps.reviewer, req.note);
      const d = log.saga(req.sagaId);
      if (!d?.review) throw new HandlerError('internal', `Saga ${req.sagaId} was reviewed but the review could not be read back.`);
      // Other open panels learn of the review like of any other change.
      events.emit({ sagaId: d.sagaId, name: d.name, state: d.state, stepIndex: null });
      return { sagaId: d.sagaId, review: d.review };
    },
    [CHANNELS.compensate]: async (req) => {
      const out = await operator().compensate(req.sagaId, { note: req.note, confirmUnknown: req.confirmUnknown });
      return { sagaId: out.sagaId, state: out.state, compensated: out.compensated, failureReason: clipNullable(out.failureReason, LIMITS.detailReason) };
    },
    [CHANNELS.resolve]: (req) => {
      const out = operator().resolve(req.sagaId, { note: req.note });
      return { sagaId: out.sagaId, state: out.state };
    },
    [CHANNELS.reviewRecovery]: (req) => {
      const out = operator().reviewRecovery(req.bootId, { note: req.note });
      // Bounded like a report: one recovery marks at most what the report lists.
      return { bootId: clipText(out.bootId, LIMITS.shortText), reviewed: out.reviewed.slice(0, LIMITS.listMax), skipped: out.skipped.slice(0, LIMITS.listMax) };
    },
    [CHANNELS.export]: (req) => {
      const base = { exportedAt: new Date().toISOString(), schemaVersion: log.fileVersion };
      if ('bootId' in req) return { ...base, saga: null, recoveryReport: exportReport(req.bootId) };
      return { ...base, saga: readableDetail(req.sagaId, 'exported'), recoveryReport: null };
    },
    [CHANNELS.counts]: () => ({
      running: log.countInState('running'),
      compensating: log.countInState('compensating'),
      failedCompensation: log.countInState('failed_compensation'),
      unreviewed: log.countUnreviewed(),
    }),
  };

  async function handleNow(channel: string, rawRequest: unknown, sender: Sender): Promise<HandlerResponse> {
    if (sender?.trusted !== true) {
      return errorResponse('forbidden', 'The request came from a sender the app does not trust.');
    }
    if (!isChannel(channel)) {
      return errorResponse('unknown_channel', `There is no channel ${clipText(String(channel), 64)}.`);
    }
    let parsed;
    try {
      parsed = CHANNEL_SCHEMAS[channel].request.safeParse(rawRequest);
    } catch {
      // Only a hostile value (a proxy or getter that throws) makes parsing itself throw.
      return errorResponse('bad_request', `Malformed request on ${channel}: it could not be read.`);
    }
    if (!parsed.success) return errorResponse('bad_request', describeIssue(channel, parsed.error));
    try {
      const answer = await (run[channel] as (req: unknown) => unknown)(parsed.data);
      return { ok: true, data: answer };
    } catch (err) {
      return toErrorResponse(err, channel);
    }
  }

  return {
    handle: async (channel, rawRequest, sender) => {
      try {
        return await handleNow(channel, rawRequest, sender);
      } catch (err) {
        // Even a hostile object (a throwing getter on `sender`) gets an envelope, not a rejection.
        return toErrorResponse(err, 'request');
      }
    },
    subscribe: (listener) =>
      events.subscribe((change) => {
        // The emitter is the coordinator's: a failing panel transport must not throw into a saga.
        try {
          listener({
            sagaId: change.sagaId,
            name: clipText(change.name, LIMITS.listName),
            state: change.state,
            stepIndex: change.stepIndex,
          });
        } catch {
          /* the transport drops that client; the saga goes on */
        }
      }),
  };
}

/** The panel's handlers over a booted subsystem: its log and events, its sagas' key inputs. */
export function sagaHandlersFor(
  subsystem: OperatorActions & { log: SagaLog; events: SagaEvents; bootId: string; keyInputFields(): Record<string, string> },
  reviewer: string,
): SagaHandlers {
  // Operator actions are recorded as the same OS user as reviews, never a name the renderer claims.
  const operator: OperatorActions = {
    compensate: (sagaId, request) => subsystem.compensate(sagaId, { ...request, operator: reviewer }),
    resolve: (sagaId, request) => subsystem.resolve(sagaId, { ...request, operator: reviewer }),
    reviewRecovery: (bootId, request) => subsystem.reviewRecovery(bootId, { ...request, operator: reviewer }),
  };
  return createSagaHandlers({ log: subsystem.log, events: subsystem.events, reviewer, bootId: subsystem.bootId, keyInputFields: subsystem.keyInputFields(), operator });
}
