// The launcher window's page: runs the domain's sagas through window.sagaLauncher (exposed
// by the preload in Electron) or over HTTP (the headless host), and lists their outcomes.
// First, before any module builds a schema (see zod-jitless.ts).
import '../src-shared/zod-jitless';
import { LAUNCHER_API_GLOBAL, LauncherSaga, type SagaLauncherApi } from '../src-shared/launcher-contract';
import { createHttpLauncherApi } from './http-api';

function launcherApi(): SagaLauncherApi | null {
  const exposed = (window as unknown as Record<string, SagaLauncherApi | undefined>)[LAUNCHER_API_GLOBAL];
  if (exposed) return exposed;
  // Over http(s) the page came from the headless host, which serves the launcher channel next to it.
  return window.location.protocol === 'http:' ? createHttpLauncherApi() : null;
}

function addResult(list: HTMLElement, text: string, cls: string): void {
  const item = document.createElement('li');
  item.className = cls;
  item.textContent = text;
  list.prepend(item);
}

function start(): void {
  const form = document.querySelector<HTMLFormElement>('[data-testid="launcher-form"]');
  const results = document.querySelector<HTMLElement>('[data-testid="launcher-results"]');
  const api = launcherApi();
  if (!form || !results) return;
  if (!api) {
    addResult(results, 'The launcher runs only inside the desktop app or from the headless host.', 'error');
    return;
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const saga = LauncherSaga.safeParse((event.submitter as HTMLButtonElement | null)?.value);
    if (!saga.success) return;
    const data = new FormData(form);
    const workspace = String(data.get('workspace') ?? '');
    const failLastStep = data.get('failLastStep') === 'on';
    const buttons = [...form.querySelectorAll('button')];
    for (const b of buttons) b.disabled = true;
    void api
      .runSaga({ saga: saga.data, workspace, failLastStep })
      .then((res) => {
        if (res.ok) {
          const why = res.data.failureReason ? `: ${res.data.failureReason}` : '';
          addResult(results, `saga ${res.data.sagaId ?? '?'} ${saga.data} ${workspace}: ${res.data.state}${why}`, res.data.state);
        } else addResult(results, `${saga.data} ${workspace}: ${res.error.message}`, 'error');
      })
      .finally(() => {
        for (const b of buttons) b.disabled = false;
      });
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
