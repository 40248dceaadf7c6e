// The detail's operator actions for a failed_compensation saga: resolve it where the log proves no
// undo is needed, or "compensate now" (undo what it left done, through the app's engine), each with
// a note; and the export of one saga or one recovery report as a JSON file.
import type { ApiResult, ExportRequest, ExportResponse, SagaDetailView, SagaPanelApi } from '../src-shared/ipc-contract';
import { h } from './dom';
import { explain } from './explain';
import { formatTime, utcTitle } from './format';

/** Saves `data` as a JSON file through a temporary link (no navigation, no remote content). */
export function downloadJson(fileName: string, data: unknown): void {
  const url = URL.createObjectURL(new Blob([`${JSON.stringify(data, null, 2)}\n`], { type: 'application/json' }));
  const link = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** An "Export JSON" button: asks the app for the bounded, redacted export and saves it. */
export function exportButton(api: SagaPanelApi, request: ExportRequest, fileName: string, testid: string, onError: (text: string) => void): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'secondary', testid }, 'Export JSON');
  button.addEventListener('click', async () => {
    button.disabled = true;
    const r: ApiResult<ExportResponse> = await api.exportJson(request);
    button.disabled = false;
    if (!r.ok) return onError(`The export failed. ${explain(r.error)}`);
    downloadJson(fileName, r.data);
  });
  return button;
}

function history(saga: SagaDetailView): HTMLElement | null {
  if (saga.actions.length === 0) return null;
  return h(
    'ul',
    { class: 'actions-history', testid: 'operator-actions' },
    ...saga.actions.map((a) =>
      h(
        'li',
        {},
        `${a.action === 'compensate' ? 'compensate now' : 'resolve'} by ${a.doneBy} at `,
        h('time', { datetime: a.at, title: utcTitle(a.at) }, formatTime(a.at)),
        a.outcome ? ` → ${a.outcome}` : ' (did not finish)',
        ': ',
        h('q', {}, a.note),
      ),
    ),
  );
}

export function operatorSection(api: SagaPanelApi, saga: SagaDetailView, onDone: () => void): HTMLElement | null {
  const past = history(saga);
  if (saga.state !== 'failed_compensation') return past && h('section', { class: 'operator' }, h('h3', {}, 'Operator actions'), past);
  const id = `action-note-${saga.sagaId}`;
  const note = h('textarea', { testid: 'action-note', id, rows: 2, maxlength: 1000, placeholder: 'Why, for the record (required)' });
  const error = h('p', { class: 'error', testid: 'action-error', role: 'alert', hidden: true });
  const result = h('p', { class: 'muted', testid: 'action-result', role: 'status' });
  const fail = (text: string) => {
    error.textContent = text;
    error.hidden = false;
  };
  const noteOrStop = (): string | null => {
    error.hidden = true;
    if (note.value.trim() !== '') return note.value;
    fail('Write a note first: say why, so the log records it with your name.');
    note.focus();
    return null;
  };
  const buttons: HTMLButtonElement[] = [];
  const busy = (on: boolean) => buttons.forEach((b) => (b.disabled = on));

  let resolveBlock: HTMLElement | null = null;
  if (saga.provenOutcome) {
    const proof = saga.provenOutcome;
    const resolve = h('button', { type: 'button', testid: 'resolve-submit' }, `Resolve as ${proof.outcome}`);
    buttons.push(resolve);
    resolve.addEventListener('click', async () => {
      const text = noteOrStop();
      if (text === null) return;
      busy(true);
      const r = await api.resolve({ sagaId: saga.sagaId, note: text });
      busy(false);
      if (!r.ok) return fail(`It was not resolved. ${explain(r.error)}`);
      result.textContent = `Resolved as ${r.data.state}.`;
      onDone();
    });
    resolveBlock = h('div', { class: 'proof' }, h('p', { testid: 'proof-text' }, `The log proves it: ${proof.why}.`), resolve);
  }

  // What "compensate now" will do with each step left in flight follows reconciliation's answer:
  // applied is undone, not applied is left, unknown needs the operator's word that they checked it.
  const inFlight = saga.steps.filter((s) => s.state === 'pending');
  const unknownSteps = inFlight.filter((s) => s.reconciliation?.answer !== 'applied' && s.reconciliation?.answer !== 'not_applied');
  const known = inFlight.filter((s) => !unknownSteps.includes(s));
  const label = (s: (typeof inFlight)[number]) => `step ${s.stepIndex} '${s.name}' on ${s.target ?? 'its target'}`;
  const knownRows = known.map((s) =>
    h(
      'p',
      { class: 'muted', testid: 'compensate-known' },
      s.reconciliation?.answer === 'applied'
        ? `Its peer's receipt shows ${label(s)} applied: compensate now will undo it${s.compensatesIndex === null ? '' : ' (this undo is recorded as done)'}.`
        : `Its peer's receipts show ${label(s)} was not applied: there is nothing of it to undo.`,
    ),
  );
  const confirm = h('input', { type: 'checkbox', testid: 'compensate-confirm', id: `confirm-${saga.sagaId}` });
  const confirmRow =
    unknownSteps.length > 0
      ? h(
          'p',
          { class: 'confirm' },
          confirm,
          h(
            'label',
            { for: `confirm-${saga.sagaId}` },
            ` I checked ${unknownSteps.map(label).join(', ')} by hand: ${unknownSteps.length === 1 ? 'its outcome is' : 'their outcomes are'} unknown to the app, and ${unknownSteps.length === 1 ? 'it' : 'they'} will not be undone.`,
          ),
        )
      : null;
  // Past a final step the app refuses to undo (final_applied): say so instead of offering a button that fails.
  const finalDone = saga.steps.find(
    (s) => s.kind === 'final' && s.compensatesIndex === null && (s.state === 'succeeded' || (s.state === 'pending' && s.reconciliation?.answer === 'applied')),
  );
  const compensate = h('button', { type: 'button', testid: 'compensate-submit' }, 'Compensate now');
  if (finalDone) compensate.disabled = true;
  else buttons.push(compensate);
  compensate.addEventListener('click', async () => {
    const text = noteOrStop();
    if (text === null) return;
    busy(true);
    result.textContent = 'Undoing…';
    const r = await api.compensate({ sagaId: saga.sagaId, note: text, confirmUnknown: confirm.checked });
    busy(false);
    result.textContent = '';
    if (!r.ok) {
      return fail(
        r.error.code === 'needs_confirmation'
          ? `${r.error.message}. Tick the box once you have checked it.`
          : `Nothing was compensated. ${explain(r.error)}`,
      );
    }
    const undone = r.data.compensated.length === 0 ? 'nothing was left to undo' : `undid step${r.data.compensated.length === 1 ? '' : 's'} ${r.data.compensated.join(', ')}`;
    result.textContent = r.data.state === 'failed' ? `Compensated: ${undone}; the saga is now failed.` : `Not everything was undone (${undone}); see the reason.`;
    onDone();
  });

  return h(
    'section',
    { class: 'operator', testid: 'operator-section' },
    h('h3', {}, 'Operator actions'),
    resolveBlock,
    h(
      'p',
      { class: 'muted' },
      'Compensate now undoes the steps it left done, newest first, through the app, each recorded before it is sent. It never re-sends a step.',
    ),
    h('label', { for: id, class: 'sr-only' }, 'Note for the action'),
    note,
    ...(finalDone ? [] : knownRows),
    finalDone ? null : confirmRow,
    finalDone
      ? h(
          'p',
          { class: 'muted', testid: 'compensate-final' },
          `Step ${finalDone.stepIndex} '${finalDone.name}' is final and ${finalDone.state === 'succeeded' ? 'succeeded' : "was applied (its peer's receipt says so)"}: compensate now cannot undo past it. Resolve it if the log proves how it ended, or repair by hand and review.`,
        )
      : null,
    h('div', { class: 'row' }, compensate),
    error,
    result,
    past,
  );
}
