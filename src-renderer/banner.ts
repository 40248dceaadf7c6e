// The recovery banner: what the last launch's recovery marked, at most three sagas on screen
// (those still waiting for a review first), "N more" to list them all, dismissal remembered
// per recovery.
import type { RecoveryReportView } from '../src-shared/ipc-contract';
import { h, replaceChildren } from './dom';
import { formatTime, utcTitle } from './format';

const SHOWN = 3;
const DISMISS_KEY = 'saga-panel.dismissed-recovery.';

export interface BannerActions {
  open(sagaId: number): void;
  /** Lists every saga this recovery marked. */
  showAll(bootId: string): void;
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
  replaceChildren(
    banner,
    h('div', { class: 'banner-head' }, h('strong', { testid: 'banner-title' }, title), close),
    h('ul', {}, ...items, ...moved),
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
