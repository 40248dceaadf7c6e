// The headless HTTP transport over real handlers and a real log, on a real loopback socket.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type PanelServer, startPanelServer } from '../../src-main/headless/panel-server';
import { panelCsp } from '../../src-shared/panel-csp';
import { createSagaHandlers } from '../../src-main/ipc/saga-handlers';
import { LOG_FILE_NAME, SagaLog } from '../../src-main/saga/log/saga-log';
import { SagaEvents } from '../../src-main/saga/saga-events';
import { tempDir } from '../helpers/temp-dir';
import { writeCompleted, writeFailedCompensation } from '../ipc/panel-fixtures';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Raw node:http, so the test controls every header (fetch would refuse to set Host). */
function request(
  server: PanelServer,
  pathName: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: pathName,
        method: options.method ?? 'GET',
        // No pooled keep-alive sockets: a closed server must look closed to the next request.
        agent: false,
        headers: { Host: `127.0.0.1:${server.port}`, ...options.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const json = { 'Content-Type': 'application/json' };

describe('panel server', () => {
  let server: PanelServer;
  let log: SagaLog;
  let events: SagaEvents;
  let fc: number;
  let base: string;

  before(async () => {
    const dir = tempDir('panel-server-');
    const panelDir = path.join(dir, 'renderer');
    fs.mkdirSync(panelDir);
    fs.writeFileSync(path.join(panelDir, 'index.html'), '<!doctype html><title>panel</title>');
    fs.writeFileSync(path.join(panelDir, 'panel.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'not for the browser');
    log = SagaLog.open(path.join(dir, LOG_FILE_NAME));
    for (let i = 0; i < 3; i++) writeCompleted(log);
    fc = writeFailedCompensation(log);
    events = new SagaEvents();
    server = await startPanelServer({ handlers: createSagaHandlers({ log, events, reviewer: 'ops' }), port: 0, panelDir });
    base = `/${server.token}/`;
  });
  after(async () => {
    await server.close();
    log.close();
  });

  test('prints a loopback URL that carries a fresh random token', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}\/$/);
    assert.notEqual(server.port, 0);
  });

  test('serves the page with a strict CSP and no CORS headers', async () => {
    const r = await request(server, base);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-security-policy'], panelCsp({ connectSrc: "'self'" }), 'the shared CSP, calling its API on its own origin');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['access-control-allow-origin'], undefined);
    assert.equal((await request(server, `${base}panel.js`)).status, 200);
    const redirect = await request(server, `/${server.token}`);
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.location, base);
  });

  test('refuses every path without the token, or with a wrong one, with 401', async () => {
    const wrong = `/${'A'.repeat(server.token.length)}/`;
    for (const p of ['/', '/index.html', '/panel.js', '/events', '/api/saga:list', wrong, `${wrong}api/saga:list`, `/${server.token.slice(1)}/`]) {
      assert.equal((await request(server, p)).status, 401, p);
    }
    const post = await request(server, '/api/saga:list', { method: 'POST', headers: json, body: '{}' });
    assert.equal(post.status, 401);
    const badBearer = await request(server, '/api/saga:list', { method: 'POST', headers: { ...json, Authorization: 'Bearer nope' }, body: '{}' });
    assert.equal(badBearer.status, 401);
    const bearer = await request(server, '/api/saga:list', { method: 'POST', headers: { ...json, Authorization: `Bearer ${server.token}` }, body: '{}' });
    assert.equal(bearer.status, 200);
  });

  test('refuses a foreign Host (DNS rebinding) and a foreign Origin or fetch site', async () => {
    assert.equal((await request(server, base, { headers: { Host: `evil.example:${server.port}` } })).status, 421);
    assert.equal((await request(server, base, { headers: { Host: `127.0.0.1:${server.port + 1}` } })).status, 421);
    assert.equal((await request(server, base, { headers: { Host: `localhost:${server.port}` } })).status, 200);
    const api = `${base}api/saga:list`;
    assert.equal((await request(server, api, { method: 'POST', headers: { ...json, Origin: 'http://evil.example' }, body: '{}' })).status, 403);
    assert.equal((await request(server, api, { method: 'POST', headers: { ...json, Origin: 'null' }, body: '{}' })).status, 403);
    assert.equal((await request(server, api, { method: 'POST', headers: { ...json, 'Sec-Fetch-Site': 'cross-site' }, body: '{}' })).status, 403);
    const same = await request(server, api, { method: 'POST', headers: { ...json, Origin: server.origin, 'Sec-Fetch-Site': 'same-origin' }, body: '{}' });
    assert.equal(same.status, 200);
  });

  test('serves only the bundle: no traversal, no other files', async () => {
    for (const p of ['../secret.txt', '..%2fsecret.txt', '%2e%2e/secret.txt', 'renderer/index.html', 'nope.js']) {
      assert.equal((await request(server, `${base}${p}`)).status, 404, p);
    }
  });

  test('answers the handlers over POST api/<channel>, with typed errors', async () => {
    const list = await request(server, `${base}api/saga:list`, { method: 'POST', headers: json, body: '{"limit":2}' });
    assert.equal(list.status, 200);
    const parsed = JSON.parse(list.body);
    assert.equal(parsed.ok, true);
    assert.deepEqual(parsed.data.items.map((s: { sagaId: number }) => s.sagaId), [fc, fc - 1]);
    const bad = await request(server, `${base}api/saga:list`, { method: 'POST', headers: json, body: '{"limit":999}' });
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.body).error.code, 'bad_request');
    const notJson = await request(server, `${base}api/saga:list`, { method: 'POST', headers: json, body: '{' });
    assert.equal(JSON.parse(notJson.body).error.code, 'bad_request');
    const unknown = await request(server, `${base}api/saga:nope`, { method: 'POST', headers: json, body: '{}' });
    assert.equal(JSON.parse(unknown.body).error.code, 'unknown_channel');
    assert.equal((await request(server, `${base}api/saga:list`)).status, 405);
    assert.equal((await request(server, `${base}api/saga:list`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' })).status, 415);
    const huge = await request(server, `${base}api/saga:list`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'x'.repeat(40_000) }) });
    assert.equal(huge.status, 413);
  });

  test('pushes changes as server-sent events', async () => {
    const received = await new Promise<string>((resolve, reject) => {
      const req = http.get({ agent: false, host: '127.0.0.1', port: server.port, path: `${base}events` }, (res) => {
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers['content-type']), /^text\/event-stream/);
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          if (buf.includes('event: change')) {
            req.destroy();
            resolve(buf);
          }
        });
        // The stream is open once headers arrive: emit then.
        events.emit({ sagaId: fc, name: 'move-files', state: 'failed_compensation', stepIndex: null });
      });
      req.on('error', reject);
    });
    const data = /data: (.*)\n/.exec(received.slice(received.indexOf('event: change')))?.[1];
    assert.deepEqual(JSON.parse(data!), { sagaId: fc, name: 'move-files', state: 'failed_compensation', stepIndex: null });
  });

  test('close ends open event streams and stops listening', async () => {
    const dir = tempDir('panel-close-');
    fs.writeFileSync(path.join(dir, 'index.html'), 'x');
    const s = await startPanelServer({ handlers: createSagaHandlers({ log, events, reviewer: 'ops' }), port: 0, panelDir: dir });
    const ended = new Promise<void>((resolve) => {
      http.get({ agent: false, host: '127.0.0.1', port: s.port, path: `/${s.token}/events` }, (res) => {
        res.resume();
        res.on('end', resolve);
        void s.close();
      });
    });
    await ended;
    await s.close();
    await assert.rejects(request(s, `/${s.token}/`), { code: 'ECONNREFUSED' });
  });

  test('refuses to start without a built panel', async () => {
    await assert.rejects(
      startPanelServer({ handlers: createSagaHandlers({ log, events, reviewer: 'ops' }), port: 0, panelDir: tempDir('empty-') }),
      /panel bundle is missing/,
    );
  });
});

test('callPanel (the bench hook) round-trips through the transport with the Bearer token', async () => {
  const { callPanel } = await import('../../src-main/headless/panel-client');
  const dir = tempDir('panel-client-');
  fs.writeFileSync(path.join(dir, 'index.html'), 'x');
  const log = SagaLog.open(path.join(dir, LOG_FILE_NAME));
  const id = writeCompleted(log);
  const s = await startPanelServer({ handlers: createSagaHandlers({ log, events: new SagaEvents(), reviewer: 'b' }), port: 0, panelDir: dir });
  try {
    const r = await callPanel(s, 'saga:get', { sagaId: id });
    assert.equal(r.status, 200);
    assert.equal((r.body as { data: { saga: { sagaId: number } } }).data.saga.sagaId, id);
    assert.ok(r.bytes > 0);
  } finally {
    await s.close();
    log.close();
  }
});
