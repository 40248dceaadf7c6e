// The panel's API over the headless host's HTTP transport: the same SagaPanelApi the
// Electron preload exposes, built from the same createPanelApi so the shapes cannot drift.
// The page lives at /<token>/, so relative URLs carry the token without any script handling it.
import { type SagaPanelApi, type Channel, createPanelApi } from '../src-shared/ipc-contract';
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

export function createHttpPanelApi(base: URL = new URL('./', window.location.href)): SagaPanelApi {
  const invoke = (channel: Channel, request: unknown): Promise<unknown> => post(base, channel, request);

  const listeners = new Set<(raw: unknown) => void>();
  let source: EventSource | null = null;
  const subscribe = (listener: (raw: unknown) => void) => {
    listeners.add(listener);
    if (!source) {
      source = new EventSource(new URL('events', base));
      source.addEventListener('change', (ev) => {
        let raw: unknown;
        try {
          raw = JSON.parse((ev as MessageEvent<string>).data);
        } catch {
          return;
        }
        for (const l of listeners) l(raw);
      });
    }
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && source) {
        source.close();
        source = null;
      }
    };
  };

  return createPanelApi(invoke, subscribe);
}
