// One line at the end of the run that a CI log reader can trust: how many specs ran, passed,
// failed and were skipped, and why they were skipped, grouped by reason, e.g.
//   e2e: 14 passed, 0 failed, 10 skipped (Electron: no Electron binary on this machine: ... [10])
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

class SummaryReporter implements Reporter {
  private readonly final = new Map<string, { test: TestCase; result: TestResult }>();

  printsToStdio(): boolean {
    // The list reporter owns stdio; this one only adds its line.
    return false;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    // The last attempt decides (retries may run a test more than once).
    this.final.set(test.id, { test, result });
  }

  onEnd(result: FullResult): void {
    let passed = 0;
    let failed = 0;
    let flaky = 0;
    const skipReasons = new Map<string, number>();
    for (const { test, result: r } of this.final.values()) {
      const outcome = test.outcome();
      if (outcome === 'skipped') {
        const reason = [...r.annotations, ...test.annotations].find((a) => a.type === 'skip' || a.type === 'fixme')?.description ?? 'no reason given';
        skipReasons.set(reason, (skipReasons.get(reason) ?? 0) + 1);
      } else if (outcome === 'expected') passed++;
      else if (outcome === 'flaky') flaky++;
      else failed++;
    }
    const skipped = [...skipReasons.values()].reduce((a, b) => a + b, 0);
    const why = [...skipReasons].map(([reason, n]) => `${reason} [${n}]`).join('; ');
    const ran = passed + failed + flaky;
    const parts = [`${ran} ran`, `${passed} passed`, `${failed} failed`];
    if (flaky > 0) parts.push(`${flaky} flaky`);
    parts.push(`${skipped} skipped${skipped > 0 ? ` (${why})` : ''}`);
    process.stdout.write(`\ne2e: ${parts.join(', ')}; status ${result.status}\n`);
  }
}

export default SummaryReporter;
