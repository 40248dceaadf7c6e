// Sizes repeated units of background work (sagas deleted, pages vacuumed) so each unit holds the
// main thread for about a time budget. The cost of one item swings with the file, the page cache
// and WAL checkpoints, so the size follows a learned cost per item rather than the last sample:
// a slow sample is believed at once (shrink now), a fast one only gradually (grow by a quarter at
// most), which keeps one cheap batch from being followed by one that blows the budget.

/** A turn of the event loop between two slices of background work, so what waits behind them runs. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class BudgetedBatch {
  private msPerItem: number | null = null;
  private current: number;

  constructor(
    private readonly budgetMs: number,
    private readonly max: number,
    start: number,
  ) {
    this.current = clamp(start, 1, max);
  }

  /** How many items the next unit of work should take. */
  get size(): number {
    return this.current;
  }

  /** Records what the last unit did and how long it held the thread. */
  record(items: number, ms: number): void {
    if (items <= 0) return;
    const sample = ms / items;
    this.msPerItem = this.msPerItem === null ? sample : Math.max(sample, 0.75 * this.msPerItem + 0.25 * sample);
    // Aim below the budget: the cost of the next unit is a guess, and the budget is a ceiling.
    const fit = this.msPerItem > 0 ? Math.floor((0.75 * this.budgetMs) / this.msPerItem) : this.max;
    this.current = clamp(Math.min(fit, Math.ceil(this.current * 1.25)), 1, this.max);
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}
