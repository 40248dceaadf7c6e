// The headless host's HTTP transport: the panel bundle, the saga handlers behind
// POST api/<channel>, and pushes as server-sent events, on 127.0.0.1 only.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { type ApiResult, type ErrorCode, errorResponse } from '../../src-shared/ipc-contract';
import { LAUNCHER_CHANNEL_PREFIX } from '../../src-shared/launcher-contract';
import { panelCsp } from '../../src-shared/panel-csp';
import type { SagaHandlers } from '../ipc/saga-handlers';
import { BASE_HEADERS, guardRequest, newToken } from './request-guard';

/** The launcher page's channel (`launcher:run-saga`); the same handler the Electron host registers. */
export interface LauncherChannelHandler {
  handle(channel: string, rawRequest: unknown, sender: { trusted: boolean }): Promise<ApiResult<unknown>>;
}

export interface PanelServerOptions {
  handlers: SagaHandlers;
  /** Absent: the host serves the panel only, and launcher channels answer unknown_channel. */
  launcher?: LauncherChannelHandler;
  /** 0 picks a free port. */
  port: number;
  host?: '127.0.0.1';
  /** The built renderer (dist/renderer): index.html, panel.js, panel.css, and launcher.html with its bundle. */
  panelDir: string;
  /**
   * How often the event stream says it is alive. The page treats three missed beats as a host
   * that hung with the connection open, and stops showing itself as live.
   */
  heartbeatMs?: number;
  /** The token to require (a stored one, see panel-address.ts); absent: a new one for this launch. */
  token?: string;
  /** When `port` is taken, listen on any free one instead of failing (the stored port is a preference). */
  anyPortIfTaken?: boolean;
}

export interface PanelServer {
  /** The address to open, token included. */
  url: string;
  origin: string;
  port: number;
  token: string;
  /**
   * Orderly stop, first half: new API requests are answered 503 (the app is stopping), event
   * streams are ended; API requests already running still get their answers.
   */
  stopAccepting(): void;
  /** Resolves once every API request that was running has been answered, or after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Requests are small JSON objects; anything bigger is refused before it is buffered. */
/** The app's one CSP; the page calls its API on this server's origin, so it may connect to 'self'. */
const HEADLESS_CSP = panelCsp({ connectSrc: "'self'" });
const MAX_BODY_BYTES = 16 * 1024;
const MAX_EVENT_CLIENTS = 32;
/** A client that stops reading is dropped rather than buffered without bound. */
const MAX_EVENT_BACKLOG_BYTES = 1024 * 1024;
const DEFAULT_HEARTBEAT_MS = 20_000;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unknown_channel: 404,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  read_only: 409,
  busy: 503,
  unreadable: 422,
  internal: 500,
  unreachable: 502,
  needs_confirmation: 409,
  refused: 409,
};

interface StaticFile {
  body: Buffer;
  type: string;
}

/**
 * The bundle is read once into memory and served by exact name: no path from a request ever
 * reaches the file system, so there is nothing to traverse.
 */
function loadPanel(panelDir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  let names: string[];
  try {
    names = fs.readdirSync(panelDir);
  } catch {
    names = [];
  }
  for (const name of names) {
    const type = CONTENT_TYPES[path.extname(name)];
    const file = path.join(panelDir, name);
    if (type && fs.statSync(file).isFile()) files.set(`/${name}`, { body: fs.readFileSync(file), type });
  }
  if (!files.has('/index.html')) {
    throw new Error(`The panel bundle is missing from ${panelDir}; build it first (npm run build).`);
  }
  return files;
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) {
  res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...extra });
  res.end(body);
}

function sendText(res: http.ServerResponse, status: number, message: string, extra: Record<string, string> = {}) {
  send(res, status, 'text/plain; charset=utf-8', `${message}\n`, extra);
}

function readBody(req: http.IncomingMessage): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      resolve('too_large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Stop buffering; the 413 goes out with Connection: close and the socket is dropped after it.
        req.off('data', onData);
        resolve('too_large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startPanelServer(options: PanelServerOptions): Promise<PanelServer> {
  const { handlers } = options;
  const host = options.host ?? '127.0.0.1';
  const files = loadPanel(options.panelDir);
  const token = options.token ?? newToken();
  const eventClients = new Set<http.ServerResponse>();
  let port = 0;

  const unsubscribe = handlers.subscribe((change) => {
    const frame = `event: change\ndata: ${JSON.stringify(change)}\n\n`;
    for (const res of eventClients) {
      if (res.writableLength > MAX_EVENT_BACKLOG_BYTES) {
        eventClients.delete(res);
        res.destroy();
        continue;
      }
      res.write(frame);
    }
  });

  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  // A named event rather than an SSE comment: comments keep proxies from closing the stream but
  // never reach the page, which needs to see the beat to notice a host that stopped answering.
  const heartbeat = setInterval(() => {
    for (const res of eventClients) res.write('event: ping\ndata: {}\n\n');
  }, heartbeatMs);
  heartbeat.unref();

  // API requests being answered: an orderly stop lets them finish (a saga that completes within
  // the grace period must be reported as completed, not as a dropped connection).
  const answering = new Set<Promise<void>>();
  let accepting = true;

  function serveApi(req: http.IncomingMessage, res: http.ServerResponse, channelPart: string): Promise<void> {
    if (!accepting) {
      const answer = errorResponse('busy', 'The app is stopping; relaunch it, and this tab reconnects.');
      send(res, 503, 'application/json; charset=utf-8', JSON.stringify(answer), { Connection: 'close' });
      return Promise.resolve();
    }
    const p = answerApi(req, res, channelPart).finally(() => answering.delete(p));
    answering.add(p);
    return p;
  }

  async function answerApi(req: http.IncomingMessage, res: http.ServerResponse, channelPart: string) {
    if (req.method !== 'POST') {
      sendText(res, 405, 'Use POST for panel requests.', { Allow: 'POST' });
      return;
    }
    // Requiring JSON also means a cross-site form cannot post here without a CORS preflight.
    if (!/^application\/json(;|$)/i.test(req.headers['content-type'] ?? '')) {
      sendText(res, 415, 'Panel requests must be application/json.');
      return;
    }
    const body = await readBody(req);
    if (body === 'too_large') {
      res.on('finish', () => req.destroy());
      sendText(res, 413, `Panel requests are limited to ${MAX_BODY_BYTES} bytes.`, { Connection: 'close' });
      return;
    }
    let channel: string;
    let payload: unknown;
    try {
      channel = decodeURIComponent(channelPart);
      payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      const answer = errorResponse('bad_request', 'The request body is not valid JSON.');
      send(res, 400, 'application/json; charset=utf-8', JSON.stringify(answer));
      return;
    }
    // Only a request that passed the token, Host and Origin checks gets this far.
    const launcher = channel.startsWith(LAUNCHER_CHANNEL_PREFIX) ? options.launcher : undefined;
    const answer = launcher ? await launcher.handle(channel, payload, { trusted: true }) : await handlers.handle(channel, payload, { trusted: true });
    const status = answer.ok ? 200 : HTTP_STATUS[answer.error.code];
    send(res, status, 'application/json; charset=utf-8', JSON.stringify(answer));
  }

  function serveEvents(req: http.IncomingMessage, res: http.ServerResponse) {
    if (req.method !== 'GET') {
      sendText(res, 405, 'Use GET for the event stream.', { Allow: 'GET' });
      return;
    }
    if (eventClients.size >= MAX_EVENT_CLIENTS) {
      sendText(res, 503, 'Too many open panels.');
      return;
    }
    res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write(`retry: 2000\n\nevent: hello\ndata: ${JSON.stringify({ heartbeatMs })}\n\n`);
    eventClients.add(res);
    const drop = () => eventClients.delete(res);
    req.on('close', drop);
    res.on('error', drop);
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse) {
    const verdict = guardRequest(req.url, req.headers, port, token);
    if (!verdict.ok) {
      sendText(res, verdict.status, verdict.message);
      return;
    }
    const p = verdict.path;
    if (p === '') {
      // `/<token>` without the slash: relative URLs in the page would drop the token.
      res.writeHead(308, { ...BASE_HEADERS, Location: `/${token}/` });
      res.end();
      return;
    }
    if (p.startsWith('/api/')) return serveApi(req, res, p.slice('/api/'.length));
    if (p === '/events') return serveEvents(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'Only GET is allowed here.', { Allow: 'GET, HEAD' });
      return;
    }
    const file = files.get(p === '/' ? '/index.html' : p);
    if (!file) {
      sendText(res, 404, 'Not found.');
      return;
    }
    send(res, 200, file.type, file.body, file.type.startsWith('text/html') ? { 'Content-Security-Policy': HEADLESS_CSP } : {});
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendText(res, 500, `The panel server failed: ${err instanceof Error ? err.message : String(err)}`);
      else res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen(options.port);
  } catch (err) {
    if (!(options.anyPortIfTaken && options.port !== 0 && (err as { code?: unknown }).code === 'EADDRINUSE')) {
      unsubscribe();
      clearInterval(heartbeat);
      throw err;
    }
    await listen(0);
  }
  port = (server.address() as AddressInfo).port;
  const origin = `http://${host}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    url: `${origin}/${token}/`,
    origin,
    port,
    token,
    stopAccepting: () => {
      if (!accepting) return;
      accepting = false;
      unsubscribe();
      clearInterval(heartbeat);
      for (const res of eventClients) res.end();
      eventClients.clear();
      // The socket stays open until close(): a request already on its way gets a 503 it can
      // read ("the app is stopping") instead of a reset connection.
    },
    drained: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...answering]),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        accepting = false;
        unsubscribe();
        clearInterval(heartbeat);
        for (const res of eventClients) res.end();
        eventClients.clear();
        server.close(() => resolve());
        // Keep-alive sockets would hold close() open until they time out.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
