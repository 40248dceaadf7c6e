// A node:test reporter that prints one summary line, beside the dot reporter's progress:
// how many tests ran, passed, failed and were skipped (skips with their reasons).
export default async function* summaryReporter(source) {
  let passed = 0;
  let failed = 0;
  const skipped = new Map();
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    // Suites report too; only leaves are tests.
    if (event.data.details?.type === 'suite') continue;
    const skip = event.data.skip;
    if (skip !== undefined && skip !== false) {
      const why = typeof skip === 'string' ? skip : 'no reason given';
      skipped.set(why, (skipped.get(why) ?? 0) + 1);
    } else if (event.type === 'test:pass') passed++;
    else failed++;
  }
  const skips = [...skipped].map(([why, n]) => `${n} skipped: ${why}`).join('; ');
  yield `\nunit+integration: ${passed + failed} ran, ${passed} passed, ${failed} failed${skips ? `; ${skips}` : ', 0 skipped'}\n`;
}
