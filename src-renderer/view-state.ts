// What the panel shows, as one value that lives in the URL's hash: a reload or a pasted link
// shows the same view. Pure functions, no DOM, so they are unit-tested under Node.
import { z } from 'zod';
import { LIMITS, type ListRequest } from '../src-shared/ipc-contract';
import { FailureKind, SagaState } from '../src-shared/saga-model';

const Id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const Text = z.string().trim().min(1).max(LIMITS.searchTextMax);

/** Each field is optional and a bad one is dropped alone: a hand-edited link still opens. */
const HashFields = {
  state: SagaState,
  q: Text,
  input: Text,
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  hide: z.literal('1'),
  recovery: z.string().min(1).max(LIMITS.shortText),
  kind: FailureKind,
  before: Id,
  after: Id,
  page: Id,
  saga: Id,
} as const;

export interface ViewState {
  state?: SagaState;
  /** The search box: part of a name, or `#id` / a bare number to jump to a saga. */
  q?: string;
  /** Text in the input. */
  input?: string;
  /** Started at or after / before, ISO instants. */
  from?: string;
  to?: string;
  hideReviewed: boolean;
  /** Only the sagas this launch's recovery marked (boot id). */
  recovery?: string;
  /** Only sagas whose failure was of this kind. */
  kind?: FailureKind;
  /** The page's cursor: older than `before`, or the page just newer than `after`. */
  before?: number;
  after?: number;
  page: number;
  /** The saga open in the detail. */
  saga?: number;
}

export const EMPTY_VIEW: ViewState = { hideReviewed: false, page: 1 };

export function parseHash(hash: string): ViewState {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const view: ViewState = { ...EMPTY_VIEW };
  const read = <K extends keyof typeof HashFields>(key: K): z.infer<(typeof HashFields)[K]> | undefined => {
    const raw = params.get(key);
    if (raw === null) return undefined;
    const parsed = HashFields[key].safeParse(raw);
    return parsed.success ? (parsed.data as z.infer<(typeof HashFields)[K]>) : undefined;
  };
  const set = <K extends keyof ViewState>(key: K, value: ViewState[K] | undefined) => {
    if (value !== undefined) view[key] = value;
  };
  set('state', read('state'));
  set('q', read('q'));
  set('input', read('input'));
  set('from', read('from'));
  set('to', read('to'));
  view.hideReviewed = read('hide') === '1';
  set('recovery', read('recovery'));
  set('kind', read('kind'));
  const before = read('before');
  const after = read('after');
  if (before !== undefined) view.before = before;
  else if (after !== undefined) view.after = after;
  if (view.before !== undefined || view.after !== undefined) view.page = read('page') ?? 2;
  set('saga', read('saga'));
  return view;
}

export function toHash(view: ViewState): string {
  const params = new URLSearchParams();
  const put = (key: string, value: string | number | undefined) => {
    if (value !== undefined) params.set(key, String(value));
  };
  put('state', view.state);
  put('q', view.q);
  put('input', view.input);
  put('from', view.from);
  put('to', view.to);
  if (view.hideReviewed) params.set('hide', '1');
  put('recovery', view.recovery);
  put('kind', view.kind);
  put('before', view.before);
  put('after', view.after);
  if (view.before !== undefined || view.after !== undefined) put('page', view.page);
  put('saga', view.saga);
  const text = params.toString();
  return text === '' ? '' : `#${text}`;
}

/** A search text that is a saga id: `#42` or `42`. */
export function idJump(q: string | undefined): number | null {
  const m = q === undefined ? null : /^#?(\d{1,15})$/.exec(q.trim());
  if (!m) return null;
  const id = Number(m[1]);
  return id > 0 ? id : null;
}

/** The list request this view asks for; the same view always asks the same thing. */
export function listRequestFor(view: ViewState, limit: number): ListRequest {
  const req: ListRequest = { limit, hideReviewed: view.hideReviewed };
  if (view.state) req.state = view.state;
  if (view.q !== undefined && idJump(view.q) === null) req.nameContains = view.q;
  if (view.input !== undefined) req.inputContains = view.input;
  if (view.from !== undefined) req.startedFrom = view.from;
  if (view.to !== undefined) req.startedTo = view.to;
  if (view.recovery !== undefined) req.recoveredBy = view.recovery;
  if (view.kind !== undefined) req.failureKind = view.kind;
  if (view.before !== undefined) req.beforeId = view.before;
  else if (view.after !== undefined) req.afterId = view.after;
  return req;
}

/** What a list answer was for: an answer whose key is not the current view's is stale and dropped. */
export function listKey(view: ViewState): string {
  const { saga: _open, ...rest } = view;
  return JSON.stringify(rest);
}

/** True when a filter narrows the list (the empty state then says so instead of "no sagas yet"). */
export function isFiltered(view: ViewState): boolean {
  return (
    view.state !== undefined ||
    view.q !== undefined ||
    view.input !== undefined ||
    view.from !== undefined ||
    view.to !== undefined ||
    view.hideReviewed ||
    view.recovery !== undefined ||
    view.kind !== undefined
  );
}

/** The same filters from the newest page, nothing open. */
export function firstPage(view: ViewState): ViewState {
  const { before: _b, after: _a, ...rest } = view;
  return { ...rest, page: 1 };
}
