// The panel: filters, the paged list, the recovery banner, the detail, live updates and keys.
// It sees the app only through SagaPanelApi.
import type { CountsResponse, ListRequest, SagaPanelApi } from '../src-shared/ipc-contract';
import type { SagaState, SagaSummary, UnreadableSaga } from '../src-shared/saga-model';
import { renderDetail } from './detail-view';
import { byTestId, h, replaceChildren } from './dom';
import { duration, formatTime, isLive } from './format';

const PAGE_SIZE = 50;
/** Bursts of changes (the demo runs many sagas) refresh at most this often. */
const REFRESH_MS = 250;
const STATES: SagaState[] = ['running', 'completed', 'failed', 'compensating', 'failed_compensation'];

interface Filters {
  state: SagaState | undefined;
  name: string | undefined;
  hideReviewed: boolean;
}

export function startPanel(api: SagaPanelApi): void {
  const rowsEl = byTestId<HTMLTableSectionElement>('saga-rows');
  const statusEl = byTestId('list-status');
  const detailPane = byTestId('detail-pane');
  const nameInput = byTestId<HTMLInputElement>('filter-name');
  const hideReviewed = byTestId<HTMLInputElement>('filter-hide-reviewed');
  const newerBtn = byTestId<HTMLButtonElement>('page-newer');
  const olderBtn = byTestId<HTMLButtonElement>('page-older');
  const pageInfo = byTestId('page-info');
  const banner = byTestId('recovery-banner');
  const liveEl = byTestId('live-status');
  const stateFilters = byTestId('state-filters');
  const namesList = document.getElementById('saga-names');

  const filters: Filters = { state: undefined, name: undefined, hideReviewed: false };
  /** Cursors of the pages before the current one; the current page's cursor is the last. */
  let cursors: (number | undefined)[] = [undefined];
  let page: SagaSummary[] = [];
  /** Rows of the page the app could not read: shown in their place, with why. */
  let unreadableRows: UnreadableSaga[] = [];
  let nextCursor: number | null = null;
  let selectedId: number | null = null;
  let openId: number | null = null;
  let listSeq = 0;
  let detailSeq = 0;
  let loadedOnce = false;
  const knownNames = new Set<string>();

  // ---- filters ----
  const stateButtons = new Map<SagaState | 'all', HTMLButtonElement>();
  const fcCount = h('span', { class: 'count', testid: 'failed-compensation-count' }, '0');
  for (const s of ['all', ...STATES] as const) {
    const btn = h(
      'button',
      { type: 'button', class: `chip state-${s}`, testid: `filter-state-${s}`, 'aria-pressed': s === 'all' ? 'true' : 'false' },
      s === 'all' ? 'all' : s,
      s === 'failed_compensation' ? fcCount : null,
    );
    btn.addEventListener('click', () => setStateFilter(s === 'all' ? undefined : s));
    stateButtons.set(s, btn);
    stateFilters.append(btn);
  }

  function setStateFilter(s: SagaState | undefined) {
    filters.state = s;
    for (const [key, btn] of stateButtons) btn.setAttribute('aria-pressed', String(key === (s ?? 'all')));
    resetPaging();
  }

  let nameTimer: ReturnType<typeof setTimeout> | undefined;
  nameInput.addEventListener('input', () => {
    clearTimeout(nameTimer);
    nameTimer = setTimeout(() => {
      const v = nameInput.value.trim();
      filters.name = v === '' ? undefined : v;
      resetPaging();
    }, 200);
  });
  hideReviewed.addEventListener('change', () => {
    filters.hideReviewed = hideReviewed.checked;
    resetPaging();
  });

  function resetPaging() {
    cursors = [undefined];
    void loadList();
  }

  // ---- list ----
  function rowFor(s: SagaSummary): HTMLTableRowElement {
    const unknown = s.inFlightStep !== null && !isLive(s.state);
    const tr = h(
      'tr',
      {
        testid: 'saga-row',
        'data-saga-id': s.sagaId,
        'data-state': s.state,
        tabindex: -1,
        class: [s.sagaId === selectedId ? 'selected' : '', s.sagaId === openId ? 'open' : '', s.review ? 'reviewed' : ''].join(' ').trim(),
        'aria-selected': s.sagaId === selectedId ? 'true' : 'false',
      },
      h('td', { class: 'num' }, s.sagaId),
      h('td', { class: 'name' }, s.name),
      h(
        'td',
        {},
        h('span', { class: `badge state-${s.state}`, testid: 'state-badge' }, s.state),
        s.review ? h('span', { class: 'reviewed-mark', title: `reviewed by ${s.review.reviewedBy}` }, ' ✓ reviewed') : null,
      ),
      h('td', { title: s.startedAt }, formatTime(s.startedAt)),
      h('td', { class: 'num' }, duration(s.startedAt, s.endedAt)),
      h(
        'td',
        { class: 'num', testid: 'row-steps' },
        `${s.progressedSteps}/${s.plannedSteps ?? '?'}`,
        unknown ? h('span', { class: 'unknown-flag', title: `step ${s.inFlightStep?.stepIndex} outcome unknown` }, ' ⚠') : null,
      ),
      h('td', { class: 'reason', testid: 'row-reason' }, s.failureReason ?? ''),
    );
    tr.addEventListener('click', () => {
      select(s.sagaId);
      void openDetail(s.sagaId);
    });
    return tr;
  }

  function unreadableRow(u: UnreadableSaga): HTMLTableRowElement {
    return h(
      'tr',
      { testid: 'saga-row-unreadable', 'data-saga-id': u.sagaId, class: 'unreadable' },
      h('td', { class: 'num' }, u.sagaId),
      h('td', { class: 'reason', colspan: 6 }, `unreadable: ${u.why}`),
    );
  }

  function renderList() {
    // Newest first, unreadable rows where their ids put them.
    const rows = [...page.map((s) => ({ id: s.sagaId, el: () => rowFor(s) })), ...unreadableRows.map((u) => ({ id: u.sagaId, el: () => unreadableRow(u) }))];
    rows.sort((a, b) => b.id - a.id);
    replaceChildren(rowsEl, ...rows.map((r) => r.el()));
    const filtered = filters.state !== undefined || filters.name !== undefined || filters.hideReviewed;
    if (page.length === 0 && unreadableRows.length === 0) {
      statusEl.dataset.state = 'empty';
      replaceChildren(
        statusEl,
        h('p', { class: 'empty', testid: 'list-empty' }, filtered ? 'No sagas match these filters.' : 'No sagas in the log yet. They appear here as they start.'),
      );
    } else {
      statusEl.dataset.state = 'ready';
      replaceChildren(statusEl);
    }
    const pageNo = cursors.length;
    newerBtn.disabled = pageNo <= 1;
    olderBtn.disabled = nextCursor === null;
    pageInfo.textContent = page.length === 0 ? '' : `page ${pageNo} · #${page[0]?.sagaId} – #${page[page.length - 1]?.sagaId}`;
    for (const s of page) knownNames.add(s.name);
    if (namesList && namesList.childElementCount !== knownNames.size) {
      replaceChildren(namesList, ...[...knownNames].sort().slice(0, 200).map((n) => h('option', { value: n })));
    }
  }

  async function loadList() {
    const seq = ++listSeq;
    if (!loadedOnce) {
      statusEl.dataset.state = 'loading';
      replaceChildren(statusEl, h('p', { class: 'loading', testid: 'list-loading' }, 'Loading sagas…'));
    }
    const req: ListRequest = { limit: PAGE_SIZE, hideReviewed: filters.hideReviewed };
    if (filters.state) req.state = filters.state;
    if (filters.name) req.name = filters.name;
    const cursor = cursors[cursors.length - 1];
    if (cursor !== undefined) req.beforeId = cursor;
    const r = await api.list(req);
    // A slower answer to an older request must not overwrite a newer one.
    if (seq !== listSeq) return;
    if (!r.ok) {
      statusEl.dataset.state = 'error';
      const retry = h('button', { type: 'button', testid: 'list-retry' }, 'Retry');
      retry.addEventListener('click', () => void loadList());
      replaceChildren(statusEl, h('p', { class: 'error', testid: 'list-error', role: 'alert' }, `Could not load sagas: ${r.error.message} `, retry));
      return;
    }
    loadedOnce = true;
    page = r.data.items;
    unreadableRows = r.data.unreadable;
    nextCursor = r.data.nextCursor;
    if (selectedId === null || !page.some((s) => s.sagaId === selectedId)) selectedId = page[0]?.sagaId ?? null;
    renderList();
  }

  newerBtn.addEventListener('click', () => pageNewer());
  olderBtn.addEventListener('click', () => pageOlder());
  function pageOlder() {
    if (nextCursor === null) return;
    cursors.push(nextCursor);
    selectedId = null;
    void loadList();
  }
  function pageNewer() {
    if (cursors.length <= 1) return;
    cursors.pop();
    selectedId = null;
    void loadList();
  }

  function select(id: number | null) {
    selectedId = id;
    for (const tr of rowsEl.querySelectorAll<HTMLTableRowElement>('tr')) {
      const on = Number(tr.dataset.sagaId) === id;
      tr.classList.toggle('selected', on);
      tr.setAttribute('aria-selected', String(on));
      if (on) {
        tr.scrollIntoView({ block: 'nearest' });
        tr.focus({ preventScroll: true });
      }
    }
  }

  function moveSelection(delta: number) {
    if (page.length === 0) return;
    const i = page.findIndex((s) => s.sagaId === selectedId);
    const next = page[Math.max(0, Math.min(page.length - 1, (i < 0 ? -1 : i) + delta))];
    if (next) select(next.sagaId);
  }

  // ---- detail ----
  async function openDetail(id: number, quiet = false) {
    const seq = ++detailSeq;
    openId = id;
    for (const tr of rowsEl.querySelectorAll<HTMLTableRowElement>('tr')) tr.classList.toggle('open', Number(tr.dataset.sagaId) === id);
    if (!quiet) replaceChildren(detailPane, h('p', { class: 'loading', testid: 'detail-loading' }, `Loading saga #${id}…`));
    const r = await api.get(id);
    if (seq !== detailSeq) return;
    if (!r.ok) {
      replaceChildren(detailPane, h('p', { class: 'error', testid: 'detail-error', role: 'alert' }, `Could not load saga #${id}: ${r.error.message}`));
      return;
    }
    // Keep open payloads and the review note being typed when a live refresh redraws the detail.
    const typing = detailPane.querySelector<HTMLTextAreaElement>('[data-testid="review-note"]');
    const draft = quiet && typing ? typing.value : '';
    const wasFocused = quiet && typing !== null && document.activeElement === typing;
    replaceChildren(
      detailPane,
      renderDetail(api, r.data.saga, {
        onReviewed: () => refreshNow(),
        onClose: closeDetail,
      }),
    );
    const note = detailPane.querySelector<HTMLTextAreaElement>('[data-testid="review-note"]');
    if (note && draft) note.value = draft;
    if (note && wasFocused) note.focus();
  }

  function closeDetail() {
    detailSeq++;
    openId = null;
    for (const tr of rowsEl.querySelectorAll('tr')) tr.classList.remove('open');
    replaceChildren(detailPane, h('p', { class: 'hint' }, 'Select a saga to see its steps.'));
    select(selectedId);
  }

  // ---- counts and banner ----
  function renderCounts(c: CountsResponse) {
    fcCount.textContent = String(c.failedCompensation);
    fcCount.title = `${c.unreviewed} not reviewed yet`;
    stateButtons.get('failed_compensation')?.classList.toggle('attention', c.unreviewed > 0);
  }

  async function loadCounts() {
    const r = await api.counts();
    if (r.ok) renderCounts(r.data);
  }

  async function loadBanner() {
    const r = await api.recoveryReports(1);
    if (!r.ok) return;
    const report = r.data.reports[0];
    const current = r.data.currentBootId;
    const unreadable = r.data.unreadable[0];
    if (unreadable && (current === null || unreadable.bootId === current || unreadable.bootId === null)) {
      // The last launch's report exists but cannot be read: say so rather than show nothing.
      replaceChildren(
        banner,
        h('div', { class: 'banner-head' }, h('strong', { testid: 'banner-title' }, `The last launch's recovery report cannot be read: ${unreadable.why}`)),
        h('p', { class: 'muted' }, 'Sagas it marked show as failed_compensation in the list.'),
      );
      banner.hidden = false;
      return;
    }
    if (!report || (current !== null && report.bootId !== current) || (report.markedTotal === 0 && report.movedAsideTotal === 0)) {
      banner.hidden = true;
      return;
    }
    const dismiss = h('button', { type: 'button', class: 'close', title: 'Dismiss' }, '×');
    dismiss.addEventListener('click', () => {
      banner.hidden = true;
    });
    const items = report.marked.map((m) => {
      const link = h('button', { type: 'button', class: 'link', testid: 'banner-saga', 'data-saga-id': m.sagaId }, `#${m.sagaId} ${m.name}`);
      link.addEventListener('click', () => {
        select(m.sagaId);
        void openDetail(m.sagaId);
      });
      return h('li', {}, link, h('span', { class: 'muted' }, ` was ${m.previousState}: `), m.reason);
    });
    if (report.markedTotal > report.marked.length) items.push(h('li', { class: 'muted' }, `and ${report.markedTotal - report.marked.length} more`));
    const moved = report.movedAside.map((f) => h('li', {}, `moved aside ${f.from} → ${f.to}: ${f.reason}`));
    replaceChildren(
      banner,
      h(
        'div',
        { class: 'banner-head' },
        h(
          'strong',
          { testid: 'banner-title' },
          report.markedTotal > 0
            ? `The last launch's recovery marked ${report.markedTotal} interrupted saga${report.markedTotal === 1 ? '' : 's'} failed_compensation. Nothing was re-sent.`
            : 'The last launch moved a damaged saga log aside.',
        ),
        dismiss,
      ),
      h('ul', {}, ...items, ...moved),
      h('p', { class: 'muted' }, `recovery at ${formatTime(report.startedAt)}, ${report.durationMs.toFixed(1)} ms`),
    );
    banner.hidden = false;
  }

  // ---- live updates ----
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  let changedOpen = false;
  function refreshNow() {
    clearTimeout(refreshTimer);
    refreshTimer = undefined;
    changedOpen = false;
    void loadList();
    void loadCounts();
    if (openId !== null) void openDetail(openId, true);
  }
  api.onChange((change) => {
    if (change.sagaId === openId) changedOpen = true;
    if (refreshTimer !== undefined) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      void loadList();
      void loadCounts();
      if (openId !== null && changedOpen) void openDetail(openId, true);
      changedOpen = false;
    }, REFRESH_MS);
  });
  // "live" only while pushes can actually arrive; until then the page may be stale.
  api.onConnection((state) => {
    const open = state === 'open';
    liveEl.dataset.live = String(open);
    liveEl.textContent = open ? 'live' : 'reconnecting…';
    // Pushes sent while the stream was down (or before it first opened) are lost for good:
    // reload everything on screen so no missed change stays hidden.
    if (open) refreshNow();
  });

  // ---- keys ----
  document.addEventListener('keydown', (ev) => {
    const t = ev.target as HTMLElement | null;
    const typing = t !== null && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.isContentEditable);
    if (ev.key === 'Escape') {
      if (typing) t?.blur();
      else if (openId !== null) closeDetail();
      return;
    }
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    switch (ev.key) {
      case 'j':
      case 'ArrowDown':
        moveSelection(1);
        break;
      case 'k':
      case 'ArrowUp':
        moveSelection(-1);
        break;
      case 'Enter':
        if (selectedId !== null && t?.tagName !== 'BUTTON' && t?.tagName !== 'SUMMARY') void openDetail(selectedId);
        else return;
        break;
      case '/':
        nameInput.focus();
        break;
      case 'f':
        setStateFilter(filters.state === 'failed_compensation' ? undefined : 'failed_compensation');
        break;
      case 'n':
        pageOlder();
        break;
      case 'p':
        pageNewer();
        break;
      default:
        return;
    }
    ev.preventDefault();
  });

  void loadList();
  void loadCounts();
  void loadBanner();
}
