import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { panelCsp } from '../../src-shared/panel-csp';
import { APP_ORIGIN, CONTENT_SECURITY_POLICY, appUrl, isAppUrl } from '../../src-main/electron/app-origin';
import { resolveAppPath, serveAppRequest } from '../../src-main/electron/app-protocol';
import { tempDir } from '../helpers/temp-dir';

function rendererTree(): { root: string; outside: string } {
  const base = tempDir('app-protocol-');
  const root = path.join(base, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'panel.html'), '<!doctype html><title>panel</title>');
  fs.writeFileSync(path.join(root, 'panel.js'), 'console.log(1)');
  fs.writeFileSync(path.join(root, 'assets', 'a b.css'), 'body{}');
  const outside = path.join(base, 'secret.html');
  fs.writeFileSync(outside, 'secret');
  return { root, outside };
}

describe('app origin', () => {
  test('accepts only our scheme and host', () => {
    assert.equal(isAppUrl(appUrl('index.html')), true);
    assert.equal(isAppUrl(`${APP_ORIGIN}/launcher.html?x=1#y`), true);
    for (const url of [
      'file:///etc/passwd',
      'https://panel/',
      'app://panel.evil/panel.html',
      'app://evil/panel.html',
      'app://user@panel/panel.html',
      'app://panel:8080/panel.html',
      'not a url',
      '',
    ]) {
      assert.equal(isAppUrl(url), false, url);
    }
  });

  test('the CSP allows no remote content, no inline script and no framing', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
    );
    assert.equal(directives.get('default-src'), "'none'");
    assert.equal(directives.get('script-src'), "'self'");
    assert.equal(directives.get('object-src'), "'none'");
    assert.equal(directives.get('frame-ancestors'), "'none'");
    assert.equal(directives.get('connect-src'), "'none'");
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-inline|unsafe-eval|https?:|\*/);
    assert.equal(CONTENT_SECURITY_POLICY, panelCsp({ connectSrc: "'none'" }), 'the shared CSP, talking to main only over IPC');
  });
});

describe('resolveAppPath', () => {
  const root = path.resolve('/srv/app/renderer');

  test('maps a page to its file with a content type', () => {
    const r = resolveAppPath(root, 'app://panel/panel.html');
    assert.deepEqual(r, { ok: true, file: path.join(root, 'panel.html'), contentType: 'text/html; charset=utf-8' });
    const nested = resolveAppPath(root, 'app://panel/assets/a%20b.css');
    assert.equal(nested.ok && nested.file, path.join(root, 'assets', 'a b.css'));
  });

  test('refuses every way out of the folder', () => {
    for (const url of [
      'app://panel/..%2f..%2fetc%2fpasswd.html',
      'app://panel/assets/..%2F..%2Fsecret.html',
      'app://panel/%2e%2e%2fsecret.html',
    ]) {
      const r = resolveAppPath(root, url);
      assert.equal(r.ok, false, url);
      assert.equal(!r.ok && r.status, 403, url);
    }
    // Whole `..` segments, plain or as %2E%2E, are normalised away by URL parsing and stay inside the root.
    const normalised = resolveAppPath(root, 'app://panel/../../panel.html');
    assert.equal(normalised.ok && normalised.file, path.join(root, 'panel.html'));
    const encoded = resolveAppPath(root, 'app://panel/assets/%2E%2E/%2E%2E/secret.html');
    assert.equal(encoded.ok && encoded.file, path.join(root, 'secret.html'));
  });

  test('refuses backslashes, NUL bytes, bad escapes, other hosts and unknown types', () => {
    assert.equal(resolveAppPath(root, 'app://panel/..%5c..%5csecret.html').ok, false);
    assert.equal(resolveAppPath(root, 'app://panel/a%00.html').ok, false);
    const badEscape = resolveAppPath(root, 'app://panel/%E0%A4%A.html');
    assert.equal(!badEscape.ok && badEscape.status, 400);
    assert.equal(resolveAppPath(root, 'app://other/panel.html').ok, false);
    assert.equal(resolveAppPath(root, 'app://panel/').ok, false);
    const exe = resolveAppPath(root, 'app://panel/tool.exe');
    assert.equal(!exe.ok && exe.status, 404);
  });
});

describe('serveAppRequest', () => {
  test('serves a shipped file with the CSP and nosniff headers', async () => {
    const { root } = rendererTree();
    const res = await serveAppRequest(root, new Request('app://panel/panel.html'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(await res.text(), '<!doctype html><title>panel</title>');
  });

  test('answers errors as statuses, still carrying the CSP', async () => {
    const { root } = rendererTree();
    const missing = await serveAppRequest(root, new Request('app://panel/nope.js'));
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    const traversal = await serveAppRequest(root, new Request('app://panel/..%2fsecret.html'));
    assert.equal(traversal.status, 403);
    assert.doesNotMatch(await traversal.text(), /secret/);
    const post = await serveAppRequest(root, new Request('app://panel/panel.html', { method: 'POST', body: 'x' }));
    assert.equal(post.status, 405);
  });

  test('does not follow a symlink out of the folder', async () => {
    const { root, outside } = rendererTree();
    fs.symlinkSync(outside, path.join(root, 'link.html'));
    const res = await serveAppRequest(root, new Request('app://panel/link.html'));
    assert.equal(res.status, 403);
  });
});
