// A node:test reporter that prints one summary line, beside the dot reporter's progress:
// how many tests ran, passed, failed and were skipped (skips with their reasons).
export default async function* summaryReporter(source) {
  let passed = 0;
  let failed = 0;
  const skipped = new Map();
  // Lines a test prints for the run's summary (the crash-point matrix's case count).
  const notes = [];
  for await (const event of source) {
    if (event.type === 'test:stdout' && /^crash-point matrix: /.test(event.data.message)) notes.push(event.data.message.trim());
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
  for (const note of notes) yield `\n${note}`;
  yield `\nunit+integration: ${passed + failed} ran, ${passed} passed, ${failed} failed${skips ? `; ${skips}` : ', 0 skipped'}\n`;
}
