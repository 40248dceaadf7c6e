// Entry of the panel bundle. In Electron the preload has put the API on window.sagaPanel;
// in a browser (the headless host) the panel builds the same API over HTTP.
// First, before any module builds a schema (see zod-jitless.ts).
import '../src-shared/zod-jitless';
import { PANEL_API_GLOBAL, type SagaPanelApi } from '../src-shared/ipc-contract';
import { createHttpPanelApi } from './http-api';
import { startPanel } from './panel-app';

function panelApi(): SagaPanelApi {
  const exposed = (window as unknown as Record<string, SagaPanelApi | undefined>)[PANEL_API_GLOBAL];
  return exposed ?? createHttpPanelApi();
}

function boot() {
  try {
    startPanel(panelApi());
  } catch (err) {
    document.body.textContent = `The saga panel could not start: ${err instanceof Error ? err.message : String(err)}`;
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
