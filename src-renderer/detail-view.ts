// The detail of one saga: its summary, the reason it stopped, the review, and the step timeline.
import type { BoundedText, SagaDetailView, SagaPanelApi, StepView } from '../src-shared/ipc-contract';
import { h } from './dom';
import { explain } from './explain';
import { exportButton, operatorSection } from './operator-section';
import { duration, formatBytes, formatTime, isLive, prettyJson, sagaDuration, stepLabel, utcTitle } from './format';

export interface DetailCallbacks {
  onReviewed(sagaId: number): void;
  onClose(): void;
}

function badge(state: string, testid: string): HTMLElement {
  return h('span', { class: `badge state-${state.replace(/\s+/g, '-')}`, testid }, state);
}

function timeEl(iso: string): HTMLElement {
  return h('time', { datetime: iso, title: utcTitle(iso) }, formatTime(iso));
}

function field(label: string, value: Node | string, testid?: string): HTMLElement {
  return h('div', { class: 'field' }, h('dt', {}, label), h('dd', { testid }, value));
}

/** A payload block: pretty JSON, and for a cut one a button that fetches the full text. */
function payloadBlock(
  label: string,
  text: BoundedText | null,
  testid: string,
  fetchFull: () => ReturnType<SagaPanelApi['payload']>,
): HTMLElement {
  if (text === null) return h('div', { class: 'payload empty', testid }, h('span', { class: 'label' }, label), ' none');
  const pre = h('pre', { class: 'json' }, text.truncated ? text.text : prettyJson(text.text));
  const box = h('div', { class: 'payload', testid }, h('span', { class: 'label' }, label), pre);
  if (text.truncated) {
    const note = h('span', { class: 'truncated', testid: `${testid}-truncated` }, `truncated: ${formatBytes(text.fullSize)} in full`);
    const more = h('button', { type: 'button', class: 'link' }, 'show full');
    more.addEventListener('click', async () => {
      more.disabled = true;
      const r = await fetchFull();
      if (!r.ok) {
        note.textContent = `Could not load the full text. ${explain(r.error)}`;
        more.disabled = false;
        return;
      }
      const full = r.data.payload;
      if (full) {
        pre.textContent = full.truncated ? full.text : prettyJson(full.text);
        note.textContent = full.truncated ? `still cut at ${formatBytes(full.text.length)} of ${formatBytes(full.fullSize)}` : '';
      }
      more.remove();
    });
    box.append(h('div', { class: 'payload-note' }, note, ' ', more));
  }
  return box;
}

function stepItem(api: SagaPanelApi, saga: SagaDetailView, step: StepView): HTMLElement {
  const label = stepLabel(step.state, saga.state);
  const unknown = step.state === 'pending' && !isLive(saga.state);
  const li = h(
    'li',
    {
      class: `step step-${step.state}${unknown ? ' outcome-unknown' : ''}${step.compensatesIndex !== null ? ' compensation' : ''}`,
      testid: 'step',
      'data-step-index': step.stepIndex,
      'data-state': step.state,
    },
  );
  const head = h(
    'div',
    { class: 'step-head' },
    h('span', { class: 'step-index' }, `#${step.stepIndex}`),
    h('span', { class: 'step-name', testid: 'step-name' }, step.name),
    step.compensatesIndex !== null ? h('span', { class: 'muted' }, `undoes #${step.compensatesIndex}`) : null,
    badge(label, 'step-state'),
    unknown
      ? h(
          'span',
          { class: 'unknown-flag', testid: 'step-outcome-unknown', title: 'The app stopped while this step was dispatched; it may or may not have taken effect.' },
          '⚠ in flight at the crash: outcome unknown',
        )
      : null,
  );
  const meta = h(
    'dl',
    { class: 'step-meta' },
    field('target', step.target ?? '—', 'step-target'),
    field('peer generation', step.peerGeneration === null ? '—' : String(step.peerGeneration), 'step-generation'),
    field('kind', step.kind ?? (step.compensatesIndex !== null ? 'compensation' : '—')),
    field('started', timeEl(step.startedAt)),
    field('duration', unknown ? 'unknown' : duration(step.startedAt, step.endedAt), 'step-duration'),
    step.idempotencyKey !== null ? field('idempotency key', h('code', {}, step.idempotencyKey), 'step-idempotency-key') : null,
  );
  li.append(head, meta);
  const rec = step.reconciliation;
  if (rec) {
    const said = rec.answer === 'applied' ? 'applied' : rec.answer === 'not_applied' ? 'not applied' : 'still unknown';
    li.append(
      h(
        'p',
        { class: `step-reconciled reconciled-${rec.answer}`, testid: 'step-reconciled', 'data-answer': rec.answer },
        h('strong', {}, `Reconciled: ${said}`),
        ` — ${rec.why} (${rec.source}, `,
        timeEl(rec.at),
        ')',
      ),
    );
  }
  if (step.failureReason) li.append(h('p', { class: 'step-reason', testid: 'step-reason' }, step.failureReason));
  const fetchField = (f: 'cmd' | 'output') => () => api.payload({ sagaId: saga.sagaId, stepIndex: step.stepIndex, field: f });
  li.append(
    h(
      'details',
      { class: 'payloads', open: unknown || step.state === 'failed' },
      h('summary', {}, 'command and output'),
      payloadBlock('command', step.cmd, 'step-cmd', fetchField('cmd')),
      payloadBlock('output', step.output, 'step-output', fetchField('output')),
    ),
  );
  return li;
}

function reviewSection(api: SagaPanelApi, saga: SagaDetailView, cb: DetailCallbacks): HTMLElement | null {
  if (saga.review) {
    return h(
      'section',
      { class: 'review done', testid: 'review-info' },
      h('h3', {}, 'Reviewed'),
      h('p', {}, `by ${saga.review.reviewedBy} at `, timeEl(saga.review.reviewedAt)),
      h('blockquote', { testid: 'review-note-text' }, saga.review.note),
    );
  }
  if (saga.state !== 'failed_compensation') return null;
  const note = h('textarea', {
    testid: 'review-note',
    id: `review-note-${saga.sagaId}`,
    rows: 3,
    maxlength: 1000,
    placeholder: 'What you checked or repaired, for the next person',
  });
  const submit = h('button', { type: 'submit', testid: 'review-submit' }, 'Mark reviewed');
  const error = h('p', { class: 'error', testid: 'review-error', role: 'alert', hidden: true });
  const form = h(
    'form',
    { class: 'review', testid: 'review-form' },
    h('h3', {}, 'Review'),
    h('p', { class: 'muted' }, 'Nothing was re-sent: check the targets by hand, then record what you found.'),
    h('label', { for: `review-note-${saga.sagaId}`, class: 'sr-only' }, 'Review note'),
    note,
    h('div', { class: 'row' }, submit),
    error,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    // Checked here, in plain words, before anything is sent.
    if (note.value.trim() === '') {
      error.textContent = 'Write a note first: say what you checked or repaired, so the next person knows.';
      error.hidden = false;
      note.focus();
      return;
    }
    submit.disabled = true;
    const r = await api.review({ sagaId: saga.sagaId, note: note.value });
    submit.disabled = false;
    if (!r.ok) {
      error.textContent = `The review was not saved. ${explain(r.error)}`;
      error.hidden = false;
      return;
    }
    cb.onReviewed(saga.sagaId);
  });
  return form;
}

/** Recovery sets an interrupted saga's end to the relaunch, so it is labelled as such. */
function wasInterruptedLabel(saga: SagaDetailView): string {
  return sagaDuration(saga).endsWith('interrupted') ? 'marked at relaunch' : 'ended';
}

export function renderDetail(api: SagaPanelApi, saga: SagaDetailView, cb: DetailCallbacks): HTMLElement {
  const close = h('button', { type: 'button', class: 'close', testid: 'detail-close', title: 'Close (Esc)', 'aria-label': 'Close the detail' }, '×');
  close.addEventListener('click', () => cb.onClose());
  const exportError = h('p', { class: 'error', testid: 'export-error', role: 'alert', hidden: true });
  const showExportError = (text: string) => {
    exportError.textContent = text;
    exportError.hidden = false;
  };
  const inputBlock = payloadBlock('input', saga.input, 'saga-input', () => api.payload({ sagaId: saga.sagaId, field: 'input' }));
  const steps = h('ol', { class: 'timeline', testid: 'step-timeline' });
  const half = Math.ceil(saga.steps.length / 2);
  saga.steps.forEach((s, i) => {
    if (saga.stepsOmitted > 0 && i === half) {
      steps.append(h('li', { class: 'omitted', testid: 'steps-omitted' }, `${saga.stepsOmitted} step rows omitted from the middle`));
    }
    steps.append(stepItem(api, saga, s));
  });
  if (saga.steps.length === 0) steps.append(h('li', { class: 'muted' }, 'No step was recorded.'));
  return h(
    'article',
    { class: `detail state-${saga.state}`, testid: 'saga-detail', 'data-saga-id': saga.sagaId },
    h(
      'header',
      { class: 'detail-head' },
      h('h2', {}, `#${saga.sagaId} `, h('span', { testid: 'detail-name' }, saga.name), saga.keyInput ? h('span', { class: 'key', testid: 'detail-key' }, ` ${saga.keyInput}`) : null),
      badge(saga.state, 'detail-state'),
      exportButton(api, { sagaId: saga.sagaId }, `saga-${saga.sagaId}.json`, 'export-saga', showExportError),
      close,
    ),
    exportError,
    saga.failureReason
      ? h(
          'section',
          { class: 'why' },
          h('h3', {}, saga.state === 'failed_compensation' ? 'Why it needs review' : 'Failure reason'),
          h('p', { testid: 'detail-reason' }, saga.failureReason),
        )
      : null,
    operatorSection(api, saga, () => cb.onReviewed(saga.sagaId)),
    reviewSection(api, saga, cb),
    h(
      'dl',
      { class: 'summary' },
      field('started', timeEl(saga.startedAt)),
      field(wasInterruptedLabel(saga), saga.endedAt ? timeEl(saga.endedAt) : '—'),
      field('duration', sagaDuration(saga), 'detail-duration'),
      field('steps', `${saga.progressedSteps} of ${saga.plannedSteps ?? '?'} progressed, ${saga.stepsTotal} rows`),
      field('launch', saga.bootId ?? '—'),
    ),
    h('section', {}, h('h3', {}, 'Steps'), steps),
    h('section', { class: 'input' }, h('h3', {}, 'Input'), inputBlock),
  );
}
