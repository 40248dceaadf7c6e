// One app per profile: a second launch on the same user-data dir while the first runs must
// not recover or write over the first one's live sagas.
import { expect, test } from './fixtures';

test('a second instance on the same profile is refused while the first runs, and changes nothing', async ({ app, driver, diag }) => {
  const first = await app.launch();
  const opened = await first.runSaga({ saga: 'open_workspace', workspace: 'first-instance' });
  expect(opened).toMatchObject({ ok: true, data: { state: 'completed' } });
  const before = await diag();

  const second = await app.launchUntilExit();
  if (driver === 'headless') {
    expect(second.code).toBe(1);
    expect(second.output).toBe(
      `launcher-saga: the profile ${first.profileDir} is in use by another launcher process (pid ${first.pid}); close it or use another user-data dir (this launch changed nothing)`,
    );
  } else {
    // Electron's single-instance lock hands the launch to the first window and exits cleanly.
    expect(second.code).toBe(0);
    expect(second.output).toContain('is already open; brought that window forward instead');
  }

  // The first instance still runs and serves, and the log is exactly as it was.
  expect(await diag()).toEqual(before);
  const closed = await first.runSaga({ saga: 'close_workspace', workspace: 'first-instance' });
  expect(closed).toMatchObject({ ok: true, data: { state: 'completed' } });
  expect(await first.stop()).toEqual({ code: 0, signal: null });

  // Once the first has ended, the profile is free again.
  const next = await app.launch();
  expect((await diag()).counts.unresolved).toBe(0);
  expect(await next.stop()).toEqual({ code: 0, signal: null });
});
