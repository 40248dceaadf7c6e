// A page object for the saga panel: the places a spec reads and the things an operator does,
// named once so specs say what they check rather than which selector finds it.
import { type Locator, type Page, expect } from '@playwright/test';

export class PanelPage {
  constructor(readonly page: Page) {}

  get rows(): Locator {
    return this.page.getByTestId('saga-row');
  }
  row(sagaId: number): Locator {
    return this.page.locator(`[data-testid="saga-row"][data-saga-id="${sagaId}"]`);
  }
  get banner(): Locator {
    return this.page.getByTestId('recovery-banner');
  }
  get detail(): Locator {
    return this.page.getByTestId('saga-detail');
  }
  get search(): Locator {
    return this.page.getByTestId('filter-name');
  }
  get inputSearch(): Locator {
    return this.page.getByTestId('filter-input');
  }
  get listStatus(): Locator {
    return this.page.getByTestId('list-status');
  }
  get pageInfo(): Locator {
    return this.page.getByTestId('page-info');
  }
  chip(state: string): Locator {
    return this.page.getByTestId(`filter-state-${state}`);
  }

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
    await this.waitForList();
  }

  /** The list has answered at least once (rows, the empty state or an error). */
  async waitForList(): Promise<void> {
    await expect(this.listStatus).not.toHaveAttribute('data-state', 'loading');
    await expect(this.listStatus).toHaveAttribute('data-state', /ready|empty|partial|error/);
  }

  /** Saga ids of the rows shown, top to bottom. */
  async rowIds(): Promise<number[]> {
    return this.rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-saga-id'))));
  }

  /** Rows whose whole box is on screen and inside the list's scroll area. */
  async fullyVisibleRows(): Promise<number> {
    return this.page.evaluate(() => {
      const pane = document.querySelector('[data-testid="list-pane"]')!.getBoundingClientRect();
      const top = Math.max(0, pane.top);
      const bottom = Math.min(window.innerHeight, pane.bottom);
      return [...document.querySelectorAll('[data-testid="saga-row"]')].filter((r) => {
        const b = r.getBoundingClientRect();
        return b.height > 0 && b.top >= top && b.bottom <= bottom;
      }).length;
    });
  }

  /** scrollWidth minus clientWidth of the list pane, the detail pane and the page: 0 when nothing overflows. */
  async horizontalOverflow(): Promise<Record<string, number>> {
    return this.page.evaluate(() => {
      const over = (el: Element | null) => (el ? el.scrollWidth - el.clientWidth : 0);
      return {
        list: over(document.querySelector('[data-testid="list-pane"]')),
        detail: over(document.querySelector('[data-testid="detail-pane"]')),
        page: over(document.documentElement),
      };
    });
  }

  async open(sagaId: number): Promise<void> {
    await this.row(sagaId).click();
    await expect(this.detail).toHaveAttribute('data-saga-id', String(sagaId));
  }

  /** The hash of the page's URL, as a link to this view would carry it. */
  async hash(): Promise<string> {
    return this.page.evaluate(() => window.location.hash);
  }
}
