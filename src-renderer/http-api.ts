// The panel's API over the headless host's HTTP transport: the same SagaPanelApi the
// Electron preload exposes, built from the same createPanelApi so the shapes cannot drift.
// The page lives at /<token>/, so relative URLs carry the token without any script handling it.
import { type SagaPanelApi, type Channel, createPanelApi } from '../src-shared/ipc-contract';

export function createHttpPanelApi(base: URL = new URL('./', window.location.href)): SagaPanelApi {
  const invoke = async (channel: Channel, request: unknown): Promise<unknown> => {
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
  };

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
