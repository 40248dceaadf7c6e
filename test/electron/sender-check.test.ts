import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkSender } from '../../src-main/electron/sender-check';

const known = new Set([3, 7]);
const good = { frameUrl: 'app://panel/panel.html', isTopLevel: true, webContentsId: 7 };

describe('IPC sender check', () => {
  test('accepts the top-level frame of a known window on the app origin', () => {
    assert.deepEqual(checkSender(good, known), { ok: true });
  });

  test('refuses unknown windows, gone frames, subframes and foreign pages, each with a reason', () => {
    const cases = [
      { ...good, webContentsId: 99 },
      { ...good, frameUrl: null },
      { ...good, isTopLevel: false },
      { ...good, frameUrl: 'https://evil.example/panel.html' },
      { ...good, frameUrl: 'file:///tmp/panel.html' },
      { ...good, frameUrl: 'app://panel.evil/panel.html' },
    ];
    for (const sender of cases) {
      const verdict = checkSender(sender, known);
      assert.equal(verdict.ok, false, JSON.stringify(sender));
      assert.ok(!verdict.ok && verdict.reason.length > 0);
    }
  });
});
