import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { panelCsp } from '../../src-shared/panel-csp';

function directives(csp: string): Map<string, string> {
  return new Map(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name ?? '', values.join(' ')] as const;
    }),
  );
}

describe('the panel CSP', () => {
  test('the two hosts differ in connect-src only', () => {
    const electron = directives(panelCsp({ connectSrc: "'none'" }));
    const headless = directives(panelCsp({ connectSrc: "'self'" }));
    assert.equal(electron.get('connect-src'), "'none'");
    assert.equal(headless.get('connect-src'), "'self'");
    electron.delete('connect-src');
    headless.delete('connect-src');
    assert.deepEqual(headless, electron);
  });

  test('allows no remote content, no inline script, no eval and no framing in either host', () => {
    for (const connectSrc of ["'none'", "'self'"] as const) {
      const csp = panelCsp({ connectSrc });
      const d = directives(csp);
      assert.equal(d.get('default-src'), "'none'");
      assert.equal(d.get('script-src'), "'self'");
      assert.equal(d.get('object-src'), "'none'");
      assert.equal(d.get('base-uri'), "'none'");
      assert.equal(d.get('frame-ancestors'), "'none'");
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:|\*/);
    }
  });
});
