// The panel: filters and search, the paged list, the recovery banner, the detail, live updates
// and keys. What it shows is one ViewState kept in the URL's hash. It sees the app only
// through SagaPanelApi.
import type { CountsResponse, ListItem, ListResponse, SagaPanelApi } from '../src-shared/ipc-contract';
import { FailureKind, type SagaState, type UnreadableSaga } from '../src-shared/saga-model';
import { renderBanner } from './banner';
import { renderDetail } from './detail-view';
import { byTestId, h, replaceChildren } from './dom';
import { explain } from './explain';
import { formatTime, isLive, sagaDuration, utcTitle, zoneLabel } from './format';
import { type ViewState, firstPage, idJump, isFiltered, listKey, listRequestFor, parseHash, toHash } from './view-state';

const PAGE_SIZE = 50;
/** Bursts of changes (the demo runs many sagas) refresh at most this often. */
const REFRESH_MS = 250;
const STATES: SagaState[] = ['running', 'compensating', 'failed_compensation', 'failed', 'completed'];

interface Shown {
  /** listKey of the view this answer was for. */
  key: string;
  data: ListResponse;
}

export function startPanel(api: SagaPanelApi): void {
  const rowsEl = byTestId<HTMLTableSectionElement>('saga-rows');
  const listEl = byTestId<HTMLTableElement>('saga-list');
  const statusEl = byTestId('list-status');
  const detailPane = byTestId('detail-pane');
  const searchInput = byTestId<HTMLInputElement>('filter-name');
  const inputSearch = byTestId<HTMLInputElement>('filter-input');
  const fromInput = byTestId<HTMLInputElement>('filter-from');
  const toInput = byTestId<HTMLInputElement>('filter-to');
  const hideReviewed = byTestId<HTMLInputElement>('filter-hide-reviewed');
  const kindFilter = byTestId<HTMLSelectElement>('filter-kind');
  const newerBtn = byTestId<HTMLButtonElement>('page-newer');
  const olderBtn = byTestId<HTMLButtonElement>('page-older');
  const pageInfo = byTestId('page-info');
  const banner = byTestId('recovery-banner');
  const liveEl = byTestId('live-status');
  const stateFilters = byTestId('state-filters');
  const activeFilters = byTestId('active-filters');
  const startedHead = byTestId('started-head');

  // In Electron the page may not navigate (will-navigate is denied): the launcher is its own window there.
  const inBrowser = window.location.protocol === 'http:' || window.location.protocol === 'https:';
  byTestId('launcher-link').hidden = !inBrowser;
  replaceChildren(startedHead, 'Started', h('span', { class: 'zone', testid: 'started-zone' }, zoneLabel()));
  startedHead.title = `Local time, ${zoneLabel()}; hover a time for UTC`;

  let view: ViewState = parseHash(window.location.hash);
  let shown: Shown | null = null;
  /** Page moves pressed while the current page was still loading (+ older, - newer), applied once it is in. */
  let pendingMoves = 0;
  let selectedId: number | null = view.saga ?? null;
  let detailSeq = 0;
  let loadedOnce = false;

  // ---- the view and the URL ----
  function setView(next: ViewState, reload = true) {
    view = next;
    const hash = toHash(view);
    if (hash !== window.location.hash && !(hash === '' && window.location.hash === '')) {
      history.replaceState(null, '', hash === '' ? window.location.pathname + window.location.search : hash);
    }
    syncControls();
    if (reload) void loadList();
  }

  function syncControls() {
    for (const [key, btn] of stateButtons) btn.setAttribute('aria-pressed', String(key === (view.state ?? 'all')));
    if (document.activeElement !== searchInput) searchInput.value = view.q ?? '';
    if (document.activeElement !== inputSearch) inputSearch.value = view.input ?? '';
    fromInput.value = view.from ? toLocalInput(view.from) : '';
    toInput.value = view.to ? toLocalInput(view.to) : '';
    hideReviewed.checked = view.hideReviewed;
    kindFilter.value = view.kind ?? '';
    const chips = [];
    if (view.recovery !== undefined) {
      const clear = h('button', { type: 'button', class: 'chip active', testid: 'filter-recovery', 'aria-label': 'Show all sagas, not only this recovery' }, 'marked by the last recovery ×');
      clear.addEventListener('click', () => setView(firstPage({ ...view, recovery: undefined } as ViewState)));
      chips.push(clear);
    }
    replaceChildren(activeFilters, ...chips);
  }

  // A pasted link or the browser's back button.
  window.addEventListener('hashchange', () => {
    const next = parseHash(window.location.hash);
    view = next;
    syncControls();
    void loadList();
    if (next.saga !== undefined && next.saga !== openId()) void openDetail(next.saga);
    else if (next.saga === undefined && openId() !== null) closeDetail();
  });

  // ---- filters ----
  const stateButtons = new Map<SagaState | 'all', HTMLButtonElement>();
  const counts = new Map<string, HTMLElement>();
  for (const s of ['all', ...STATES] as const) {
    const count = s === 'running' || s === 'compensating' || s === 'failed_compensation' ? h('span', { class: 'count', testid: `count-${s}` }) : null;
    if (count) counts.set(s, count);
    const unreviewed = s === 'failed_compensation' ? h('span', { class: 'unreviewed', testid: 'unreviewed-count' }) : null;
    if (unreviewed) counts.set('unreviewed', unreviewed);
    const btn = h(
      'button',
      { type: 'button', class: `chip chip-${s}`, testid: `filter-state-${s}`, 'aria-pressed': 'false' },
      s,
      count,
      unreviewed,
    );
    btn.addEventListener('click', () => setView(firstPage({ ...view, state: s === 'all' ? undefined : s } as ViewState)));
    stateButtons.set(s, btn);
    stateFilters.append(btn);
  }
  // Old tests and links name the failed_compensation total by this id.
  counts.get('failed_compensation')?.setAttribute('data-testid', 'failed-compensation-count');

  const debounced = (input: HTMLInputElement, apply: (v: string | undefined) => void) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    input.addEventListener('input', () => {
      clearTimeout(timer);
      // The text as typed now: another control may redraw this one before the timer fires.
      const v = input.value.trim();
      timer = setTimeout(() => apply(v === '' ? undefined : v), 200);
    });
  };
  debounced(searchInput, (q) => {
    const id = idJump(q);
    if (id !== null) {
      jumpTo(id);
      return;
    }
    setView(firstPage({ ...view, q } as ViewState));
  });
  debounced(inputSearch, (input) => setView(firstPage({ ...view, input } as ViewState)));
  const onTime = (input: HTMLInputElement, key: 'from' | 'to') =>
    input.addEventListener('change', () => {
      const d = input.value === '' ? null : new Date(input.value);
      const iso = d && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined;
      setView(firstPage({ ...view, [key]: iso } as ViewState));
    });
  onTime(fromInput, 'from');
  onTime(toInput, 'to');
  hideReviewed.addEventListener('change', () => setView(firstPage({ ...view, hideReviewed: hideReviewed.checked })));
  kindFilter.addEventListener('change', () => {
    const parsed = FailureKind.safeParse(kindFilter.value);
    const { kind: _old, ...rest } = view;
    setView(firstPage(parsed.success ? { ...rest, kind: parsed.data } : rest));
  });

  /** A saga id typed in the search box: open it, and list the page that holds it. */
  function jumpTo(id: number) {
    selectedId = id;
    setView({ ...firstPage({ hideReviewed: false, page: 1 }), before: id + 1, page: 2, saga: id });
    void openDetail(id);
  }

  // ---- list ----
  function rowFor(s: ListItem): HTMLTableRowElement {
    const unknown = s.inFlightStep !== null && !isLive(s.state);
    const tr = h(
      'tr',
      {
        testid: 'saga-row',
        'data-saga-id': s.sagaId,
        'data-state': s.state,
        tabindex: -1,
        class: [s.sagaId === selectedId ? 'selected' : '', s.sagaId === openId() ? 'open' : '', s.review ? 'reviewed' : ''].join(' ').trim(),
        'aria-selected': s.sagaId === selectedId ? 'true' : 'false',
      },
      h('td', { class: 'num id' }, s.sagaId),
      h('td', { class: 'name', title: s.name }, s.name),
      h('td', { class: 'key', testid: 'row-key', title: s.keyInput ?? '' }, s.keyInput ?? ''),
      h('td', { class: 'state' }, h('span', { class: `badge state-${s.state}`, testid: 'state-badge' }, s.state)),
      h(
        'td',
        { class: 'rev', testid: 'row-reviewed' },
        s.review
          ? h('span', { class: 'reviewed-mark', title: `reviewed by ${s.review.reviewedBy} at ${formatTime(s.review.reviewedAt)}`, role: 'img', 'aria-label': 'reviewed' }, '✓')
          : null,
      ),
      h('td', { class: 'started' }, h('time', { datetime: s.startedAt, title: utcTitle(s.startedAt) }, formatTime(s.startedAt, true))),
      durationCell(s),
      h(
        'td',
        { class: 'num steps', testid: 'row-steps' },
        `${s.progressedSteps}/${s.plannedSteps ?? '?'}`,
        unknown ? h('span', { class: 'unknown-flag', title: `step ${s.inFlightStep?.stepIndex} outcome unknown` }, ' ⚠') : null,
      ),
      h('td', { class: 'reason', testid: 'row-reason', title: s.failureReason ?? '' }, s.failureReason ?? ''),
    );
    tr.addEventListener('click', () => {
      select(s.sagaId);
      void openDetail(s.sagaId);
    });
    return tr;
  }

  /** The full sentence for an interrupted saga does not fit a column: a short form, the sentence on hover. */
  function durationCell(s: ListItem): HTMLElement {
    const text = sagaDuration(s);
    const m = /^ran at least (.+), interrupted$/.exec(text);
    return m
      ? h('td', { class: 'num dur', testid: 'row-duration', title: text }, h('span', { 'aria-label': text }, `≥ ${m[1]}`))
      : h('td', { class: 'num dur', testid: 'row-duration' }, text);
  }

  function launcherLink(): HTMLElement | string {
    return inBrowser ? h('a', { href: 'launcher.html', testid: 'empty-launcher-link' }, 'the launcher page') : 'the launcher window';
  }

  /** A row the app could not read: shown in its place, with why, so one bad row blinds nothing else. */
  function unreadableRow(u: UnreadableSaga): HTMLTableRowElement {
    return h(
      'tr',
      { testid: 'saga-row-unreadable', 'data-saga-id': u.sagaId, class: 'unreadable' },
      h('td', { class: 'num' }, u.sagaId),
      h('td', { class: 'reason', colspan: 7 }, `unreadable: ${u.why}`),
    );
  }

  function renderList() {
    const items = shown?.data.items ?? [];
    const unreadable = shown?.data.unreadable ?? [];
    // Newest first, unreadable rows where their ids put them.
    const rows = [...items.map((s) => ({ id: s.sagaId, el: () => rowFor(s) })), ...unreadable.map((u) => ({ id: u.sagaId, el: () => unreadableRow(u) }))];
    rows.sort((a, b) => b.id - a.id);
    replaceChildren(rowsEl, ...rows.map((r) => r.el()));
    listEl.dataset.page = String(view.page);
    const scanEdge = shown?.data.scanEdgeId ?? null;
    if (items.length === 0 && unreadable.length === 0) {
      statusEl.dataset.state = 'empty';
      replaceChildren(
        statusEl,
        isFiltered(view)
          ? h(
              'p',
              { class: 'empty', testid: 'list-empty' },
              scanEdge !== null
                ? `No input among the newest sagas down to #${scanEdge} matches. Press Older (n) to search older sagas.`
                : 'No sagas match these filters. ',
              scanEdge === null ? clearFiltersButton() : null,
            )
          : h(
              'p',
              { class: 'empty', testid: 'list-empty' },
              'No sagas in the log yet. Start one from ',
              launcherLink(),
              ' (or run ',
              h('code', {}, 'launcher-saga demo'),
              '); it appears here as it runs.',
            ),
      );
    } else if (scanEdge !== null) {
      statusEl.dataset.state = 'partial';
      replaceChildren(statusEl, h('p', { class: 'muted', testid: 'list-scan-edge' }, `Input searched down to #${scanEdge}; press Older (n) to search older sagas.`));
    } else {
      statusEl.dataset.state = 'ready';
      replaceChildren(statusEl);
    }
    newerBtn.disabled = view.page <= 1;
    olderBtn.disabled = shown?.data.nextCursor == null;
    olderBtn.textContent = scanEdge !== null ? 'Search older →' : 'Older →';
    pageInfo.textContent = items.length === 0 ? `page ${view.page}` : `page ${view.page} · #${items[0]?.sagaId} – #${items[items.length - 1]?.sagaId}`;
  }

  function clearFiltersButton(): HTMLElement {
    const b = h('button', { type: 'button', class: 'link', testid: 'clear-filters' }, 'Clear the filters');
    b.addEventListener('click', () => setView({ hideReviewed: false, page: 1, ...(view.saga ? { saga: view.saga } : {}) }));
    return b;
  }

  function showListError(message: string) {
    statusEl.dataset.state = 'error';
    const retry = h('button', { type: 'button', testid: 'list-retry' }, 'Retry');
    retry.addEventListener('click', () => void loadList());
    replaceChildren(statusEl, h('p', { class: 'error', testid: 'list-error', role: 'alert' }, `Could not load sagas. ${message} `, retry));
  }

  async function loadList() {
    // The request carries the view it was for; an answer for any other view is stale and dropped.
    const key = listKey(view);
    const asked = view;
    if (!loadedOnce) {
      statusEl.dataset.state = 'loading';
      replaceChildren(statusEl, h('p', { class: 'loading', testid: 'list-loading' }, 'Loading sagas…'));
    }
    const r = await api.list(listRequestFor(asked, PAGE_SIZE));
    if (listKey(view) !== key) return;
    if (!r.ok) {
      showListError(explain(r.error));
      return;
    }
    // A newer page that came back short is the newest one: show it whole, from the top.
    if (asked.after !== undefined && r.data.items.length < PAGE_SIZE) {
      setView(firstPage(view));
      return;
    }
    loadedOnce = true;
    shown = { key, data: r.data };
    if (selectedId === null || !r.data.items.some((s) => s.sagaId === selectedId)) selectedId = r.data.items[0]?.sagaId ?? null;
    renderList();
    applyPendingMove();
  }

  function pageReady(): boolean {
    return shown !== null && shown.key === listKey(view);
  }

  function applyPendingMove() {
    if (pendingMoves > 0) {
      pendingMoves--;
      pageOlder();
    } else if (pendingMoves < 0) {
      pendingMoves++;
      pageNewer();
    }
  }

  newerBtn.addEventListener('click', () => pageNewer());
  olderBtn.addEventListener('click', () => pageOlder());
  function pageOlder() {
    // The next cursor is known only once this page is in: a second press waits for it.
    if (!pageReady()) {
      pendingMoves++;
      return;
    }
    const next = shown?.data.nextCursor;
    if (next == null) {
      pendingMoves = 0;
      return;
    }
    selectedId = null;
    const { after: _a, ...rest } = view;
    setView({ ...rest, before: next, page: view.page + 1 });
  }
  function pageNewer() {
    if (!pageReady()) {
      pendingMoves--;
      return;
    }
    if (view.page <= 1) {
      pendingMoves = 0;
      return;
    }
    selectedId = null;
    const first = shown?.data.items[0]?.sagaId;
    if (view.page <= 2 || first === undefined) {
      setView(firstPage(view));
      return;
    }
    const { before: _b, ...rest } = view;
    setView({ ...rest, after: first, page: view.page - 1 });
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
    const items = shown?.data.items ?? [];
    if (items.length === 0) return;
    const i = items.findIndex((s) => s.sagaId === selectedId);
    const next = items[Math.max(0, Math.min(items.length - 1, (i < 0 ? -1 : i) + delta))];
    if (next) select(next.sagaId);
  }

  // ---- detail ----
  function openId(): number | null {
    return view.saga ?? null;
  }

  async function openDetail(id: number, quiet = false) {
    const seq = ++detailSeq;
    if (view.saga !== id) setView({ ...view, saga: id }, false);
    for (const tr of rowsEl.querySelectorAll<HTMLTableRowElement>('tr')) tr.classList.toggle('open', Number(tr.dataset.sagaId) === id);
    if (!quiet) replaceChildren(detailPane, h('p', { class: 'loading', testid: 'detail-loading' }, `Loading saga #${id}…`));
    const r = await api.get(id);
    if (seq !== detailSeq) return;
    if (!r.ok) {
      replaceChildren(detailPane, h('p', { class: 'error', testid: 'detail-error', role: 'alert' }, `Could not load saga #${id}. ${explain(r.error)}`));
      return;
    }
    // Keep open payloads and the notes being typed when a live refresh redraws the detail.
    const drafts = ['review-note', 'action-note'].map((testid) => {
      const typing = detailPane.querySelector<HTMLTextAreaElement>(`[data-testid="${testid}"]`);
      return { testid, draft: quiet && typing ? typing.value : '', wasFocused: quiet && typing !== null && document.activeElement === typing };
    });
    const confirmed = quiet && detailPane.querySelector<HTMLInputElement>('[data-testid="compensate-confirm"]')?.checked === true;
    replaceChildren(
      detailPane,
      renderDetail(api, r.data.saga, {
        onReviewed: () => refreshNow(),
        onClose: closeDetail,
      }),
    );
    for (const { testid, draft, wasFocused } of drafts) {
      const note = detailPane.querySelector<HTMLTextAreaElement>(`[data-testid="${testid}"]`);
      if (note && draft) note.value = draft;
      if (note && wasFocused) note.focus();
    }
    const confirm = detailPane.querySelector<HTMLInputElement>('[data-testid="compensate-confirm"]');
    if (confirm && confirmed) confirm.checked = true;
  }

  function closeDetail() {
    detailSeq++;
    const { saga: _s, ...rest } = view;
    setView(rest, false);
    for (const tr of rowsEl.querySelectorAll('tr')) tr.classList.remove('open');
    replaceChildren(detailPane, h('p', { class: 'hint' }, 'Select a saga to see its steps.'));
    select(selectedId);
  }

  // ---- counts and banner ----
  function renderCounts(c: CountsResponse) {
    counts.get('running')!.textContent = String(c.running);
    counts.get('compensating')!.textContent = String(c.compensating);
    counts.get('failed_compensation')!.textContent = String(c.failedCompensation);
    const unreviewed = counts.get('unreviewed')!;
    unreviewed.textContent = c.unreviewed > 0 ? `${c.unreviewed} to review` : '';
    unreviewed.hidden = c.unreviewed === 0;
    stateButtons.get('failed_compensation')?.classList.toggle('attention', c.unreviewed > 0);
  }

  async function loadCounts() {
    const r = await api.counts();
    if (r.ok) renderCounts(r.data);
  }

  async function loadBanner() {
    const r = await api.recoveryReports(1);
    if (!r.ok) return;
    const report = r.data.reports[0] ?? null;
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
    renderBanner(banner, report && (current === null || report.bootId === current) ? report : null, {
      open: (id) => {
        select(id);
        void openDetail(id);
      },
      showAll: (bootId) => setView({ hideReviewed: false, page: 1, recovery: bootId }),
      api,
      reviewed: () => refreshNow(),
    });
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
    void loadBanner();
    const open = openId();
    if (open !== null) void openDetail(open, true);
  }
  api.onChange((change) => {
    if (change.sagaId === openId()) changedOpen = true;
    if (refreshTimer !== undefined) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      void loadList();
      void loadCounts();
      const open = openId();
      if (open !== null && changedOpen) void openDetail(open, true);
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
      else if (openId() !== null) closeDetail();
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
        if (selectedId !== null && t?.tagName !== 'BUTTON' && t?.tagName !== 'SUMMARY' && t?.tagName !== 'A') void openDetail(selectedId);
        else return;
        break;
      case '/':
        searchInput.focus();
        break;
      case 'f':
        setView(firstPage({ ...view, state: view.state === 'failed_compensation' ? undefined : 'failed_compensation' } as ViewState));
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

  syncControls();
  void loadList();
  void loadCounts();
  void loadBanner();
  if (view.saga !== undefined) void openDetail(view.saga);
}

/** An ISO instant as the value of a datetime-local input (local wall-clock time). */
function toLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
