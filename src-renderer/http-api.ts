// The panel's API over the headless host's HTTP transport: the same SagaPanelApi the
// Electron preload exposes, built from the same createPanelApi so the shapes cannot drift.
// The page lives at /<token>/, so relative URLs carry the token without any script handling it.
import { z } from 'zod';
import { type Channel, type ConnectionState, type SagaPanelApi, createPanelApi } from '../src-shared/ipc-contract';
import { type LauncherChannel, type SagaLauncherApi, createLauncherApi } from '../src-shared/launcher-contract';

/** One POST to the headless host's api/<channel>; a plain-text answer is a transport refusal. */
async function post(base: URL, channel: string, request: unknown): Promise<unknown> {
  const res = await fetch(new URL(`api/${channel}`, base), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
    cache: 'no-store',
    credentials: 'omit',
  });
  if ((res.headers.get('Content-Type') ?? '').startsWith('application/json')) return res.json();
  // Transport refusals (401 after a restart with a new token, 413, ...) are plain text.
  throw new Error(`the panel host answered ${res.status}: ${(await res.text()).trim()}`);
}

/** The launcher page's API over the same transport, for the headless host (Electron exposes it from the preload). */
export function createHttpLauncherApi(base: URL = new URL('./', window.location.href)): SagaLauncherApi {
  return createLauncherApi((channel: LauncherChannel, request: unknown) => post(base, channel, request));
}

/**
 * After the browser gives up on the stream for good (a refusal: 401 once the host restarted
 * with a new token, 503 with too many panels open) a new one is tried this much later; a
 * dropped connection is retried by the browser itself at the server's `retry:` interval.
 */
const REOPEN_MS = 5000;

/** The stream's first event: how often the host promises a beat. */
const StreamHello = z.object({ heartbeatMs: z.number().int().min(10).max(10 * 60_000) });
/** Until the host says otherwise, its default beat. */
const DEFAULT_HEARTBEAT_MS = 20_000;
/**
 * A host that hangs (stopped, deadlocked, its machine asleep) keeps the connection open and sends
 * nothing, and the browser never reports an error; after this many missed beats the page stops
 * calling itself live and opens a fresh stream, which catches up once the host answers again.
 */
const MISSED_BEATS = 3;

export function createHttpPanelApi(base: URL = new URL('./', window.location.href)): SagaPanelApi {
  const invoke = (channel: Channel, request: unknown): Promise<unknown> => post(base, channel, request);

  const changeListeners = new Set<(raw: unknown) => void>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let source: EventSource | null = null;
  let reopenTimer: ReturnType<typeof setTimeout> | undefined;
  let silenceTimer: ReturnType<typeof setTimeout> | undefined;
  let heartbeatMs = DEFAULT_HEARTBEAT_MS;
  let state: ConnectionState = 'closed';

  const setState = (next: ConnectionState) => {
    if (next === state) return;
    state = next;
    for (const l of [...connectionListeners]) l(next);
  };

  const open = () => {
    reopenTimer = undefined;
    const es = new EventSource(new URL('events', base));
    source = es;
    const heard = () => {
      clearTimeout(silenceTimer);
      silenceTimer = setTimeout(() => {
        if (source !== es) return;
        es.close();
        source = null;
        setState('closed');
        open();
      }, heartbeatMs * MISSED_BEATS);
    };
    heard();
    es.addEventListener('open', () => {
      heard();
      setState('open');
    });
    es.addEventListener('error', () => {
      setState('closed');
      if (es.readyState !== EventSource.CLOSED || source !== es) return;
      clearTimeout(silenceTimer);
      source = null;
      reopenTimer = setTimeout(open, REOPEN_MS);
    });
    es.addEventListener('hello', (ev) => {
      const hello = StreamHello.safeParse(parseJson((ev as MessageEvent<string>).data));
      if (hello.success) heartbeatMs = hello.data.heartbeatMs;
      heard();
    });
    es.addEventListener('ping', heard);
    es.addEventListener('change', (ev) => {
      heard();
      const raw = parseJson((ev as MessageEvent<string>).data);
      if (raw === undefined) return;
      for (const l of [...changeListeners]) l(raw);
    });
  };

  /** One stream serves every listener; it exists while anyone listens. */
  const retain = () => {
    if (!source && reopenTimer === undefined) open();
  };
  const release = () => {
    if (changeListeners.size > 0 || connectionListeners.size > 0) return;
    clearTimeout(reopenTimer);
    clearTimeout(silenceTimer);
    reopenTimer = undefined;
    source?.close();
    source = null;
    state = 'closed';
  };

  const subscribe = (listener: (raw: unknown) => void) => {
    changeListeners.add(listener);
    retain();
    return () => {
      changeListeners.delete(listener);
      release();
    };
  };

  const subscribeConnection = (listener: (state: ConnectionState) => void) => {
    connectionListeners.add(listener);
    retain();
    // Joining an open stream: no 'open' event is coming, so say it here (after the caller returns).
    if (state === 'open') {
      queueMicrotask(() => {
        if (connectionListeners.has(listener) && state === 'open') listener('open');
      });
    }
    return () => {
      connectionListeners.delete(listener);
      release();
    };
  };

  return createPanelApi(invoke, subscribe, subscribeConnection);
}

/** undefined for text that is not JSON: the caller's schema then refuses it like any other garbage. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
