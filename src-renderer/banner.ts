// The recovery banner: what the last launch's recovery marked, at most three sagas on screen
// (those still waiting for a review first), "N more" to list them all, dismissal remembered
// per recovery.
import type { RecoveryReportView, SagaPanelApi } from '../src-shared/ipc-contract';
import { h, replaceChildren } from './dom';
import { explain } from './explain';
import { exportButton } from './operator-section';
import { formatTime, utcTitle } from './format';

const SHOWN = 3;
const DISMISS_KEY = 'saga-panel.dismissed-recovery.';

export interface BannerActions {
  open(sagaId: number): void;
  /** Lists every saga this recovery marked. */
  showAll(bootId: string): void;
  /** For "review all" and "export": the panel's API, and what to reload after a review. */
  api: SagaPanelApi;
  reviewed(): void;
}

/** "Review all N" with one note, for every saga this recovery marked that nobody reviewed yet. */
function reviewAllForm(report: RecoveryReportView, actions: BannerActions, error: HTMLElement): HTMLElement | null {
  if (report.unreviewedTotal === 0) return null;
  const id = `review-all-${report.bootId}`;
  const note = h('input', { type: 'text', id, testid: 'review-all-note', maxlength: 1000, placeholder: 'One note for all of them' });
  const submit = h('button', { type: 'submit', testid: 'review-all-submit' }, `Review all ${report.unreviewedTotal}`);
  const form = h('form', { class: 'review-all row' }, h('label', { for: id, class: 'sr-only' }, 'Note for reviewing all'), note, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    if (note.value.trim() === '') {
      error.textContent = 'Write a note first: it is recorded on every saga this reviews.';
      error.hidden = false;
      return;
    }
    submit.disabled = true;
    const r = await actions.api.reviewRecovery({ bootId: report.bootId, note: note.value });
    submit.disabled = false;
    if (!r.ok) {
      error.textContent = `Nothing was reviewed. ${explain(r.error)}`;
      error.hidden = false;
      return;
    }
    actions.reviewed();
  });
  return form;
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    // A sandboxed or storage-less page still shows the banner; it just forgets the dismissal.
    return null;
  }
}

export function isDismissed(bootId: string): boolean {
  return storage()?.getItem(DISMISS_KEY + bootId) === '1';
}

function dismiss(bootId: string): void {
  storage()?.setItem(DISMISS_KEY + bootId, '1');
}

export function renderBanner(banner: HTMLElement, report: RecoveryReportView | null, actions: BannerActions): void {
  if (!report || (report.markedTotal === 0 && report.movedAsideTotal === 0) || isDismissed(report.bootId)) {
    banner.hidden = true;
    replaceChildren(banner);
    return;
  }
  const close = h('button', { type: 'button', class: 'close', testid: 'banner-dismiss', 'aria-label': 'Dismiss this recovery notice' }, '×');
  close.addEventListener('click', () => {
    dismiss(report.bootId);
    banner.hidden = true;
  });
  const waiting = [...report.marked].sort((a, b) => Number(a.reviewed) - Number(b.reviewed));
  const items = waiting.slice(0, SHOWN).map((m) => {
    const link = h('button', { type: 'button', class: 'link', testid: 'banner-saga', 'data-saga-id': m.sagaId }, `#${m.sagaId} ${m.name}`);
    link.addEventListener('click', () => actions.open(m.sagaId));
    return h(
      'li',
      { title: m.reason, class: m.reviewed ? 'reviewed' : '' },
      link,
      m.reviewed ? h('span', { class: 'reviewed-mark' }, ' ✓ reviewed') : null,
      h('span', { class: 'muted' }, ` was ${m.previousState}: `),
      m.reason,
    );
  });
  const more = report.markedTotal - Math.min(SHOWN, report.marked.length);
  const moreBtn = more > 0 ? h('button', { type: 'button', class: 'link', testid: 'banner-more' }, `${more} more`) : null;
  moreBtn?.addEventListener('click', () => actions.showAll(report.bootId));
  const moved = report.movedAside.map((f) => h('li', { title: f.reason }, `moved aside ${f.from} → ${f.to}: ${f.reason}`));
  const n = report.markedTotal;
  const title =
    n > 0
      ? `Recovery marked ${n} interrupted saga${n === 1 ? '' : 's'} failed_compensation; ${
          report.unreviewedTotal === 0 ? 'all reviewed' : `${report.unreviewedTotal} need${report.unreviewedTotal === 1 ? 's' : ''} review`
        }. Nothing was re-sent.`
      : 'The last launch moved a damaged saga log aside.';
  const error = h('p', { class: 'error', testid: 'banner-error', role: 'alert', hidden: true });
  const showError = (text: string) => {
    error.textContent = text;
    error.hidden = false;
  };
  replaceChildren(
    banner,
    h(
      'div',
      { class: 'banner-head' },
      h('strong', { testid: 'banner-title' }, title),
      exportButton(actions.api, { bootId: report.bootId }, `recovery-${report.bootId}.json`, 'export-recovery', showError),
      close,
    ),
    h('ul', {}, ...items, ...moved),
    reviewAllForm(report, actions, error),
    error,
    h(
      'p',
      { class: 'muted' },
      moreBtn,
      moreBtn ? ' · ' : null,
      'recovery at ',
      h('time', { datetime: report.startedAt, title: utcTitle(report.startedAt) }, formatTime(report.startedAt)),
      `, ${report.durationMs.toFixed(1)} ms`,
    ),
  );
  banner.hidden = false;
}
