import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  denyPermissionCheck,
  denyPermissionRequest,
  guardNavigation,
  isNavigationAllowed,
  secureWebPreferences,
  windowOpenDecision,
  windowOptions,
} from '../../src-main/electron/web-security';

function navEvent() {
  const e = { prevented: false, preventDefault() { e.prevented = true; } };
  return e;
}

describe('window security', () => {
  test('every window is isolated, sandboxed and without Node', () => {
    const prefs = secureWebPreferences('/app/dist/electron/preload.js');
    assert.equal(prefs.preload, '/app/dist/electron/preload.js');
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInWorker, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.experimentalFeatures, false);
    assert.equal(prefs.navigateOnDragDrop, false);
  });

  test('both window kinds get exactly the secure preferences', () => {
    for (const kind of ['launcher', 'panel'] as const) {
      const options = windowOptions(kind, '/p.js');
      assert.deepEqual(options.webPreferences, secureWebPreferences('/p.js'), kind);
      assert.equal(options.show, false, kind);
      assert.ok(typeof options.title === 'string' && options.title.length > 0);
    }
  });

  test('navigation stays on the app origin', () => {
    assert.equal(isNavigationAllowed('app://panel/panel.html'), true);
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'app://evil/panel.html', 'javascript:alert(1)', 'about:blank']) {
      const e = navEvent();
      assert.equal(guardNavigation(e, url), false, url);
      assert.equal(e.prevented, true, url);
    }
    const ok = navEvent();
    assert.equal(guardNavigation(ok, 'app://panel/launcher.html'), true);
    assert.equal(ok.prevented, false);
  });

  test('window.open is denied and every permission refused', () => {
    assert.deepEqual(windowOpenDecision(), { action: 'deny' });
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal', 'unknown']) {
      let granted: boolean | null = null;
      denyPermissionRequest(null, permission, (g) => {
        granted = g;
      });
      assert.equal(granted, false, permission);
    }
    assert.equal(denyPermissionCheck(), false);
  });
});
