// The checks that stand between a loopback port and the saga log. Any web page the user
// visits can send requests to 127.0.0.1, so each request must prove it came from the panel:
// the per-launch token, a Host naming our own port (DNS rebinding sends a foreign name),
// and no cross-site Origin or fetch metadata.
import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** Constant-time comparison, so response timing does not reveal how much of a guess was right. */
export function tokenMatches(candidate: string | undefined, token: string): boolean {
  if (candidate === undefined) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export type GuardVerdict =
  | { ok: true; path: string }
  | { ok: false; status: 401 | 403 | 421; message: string };

/**
 * Decides whether a request may reach the panel, and which path inside the panel it asks for.
 * The token travels as the first path segment (`/<token>/...`: relative URLs, reloads and
 * EventSource carry it without a cookie, which browsers would also send to other ports of
 * the same host) or as `Authorization: Bearer <token>` for programmatic clients.
 */
export function guardRequest(
  rawUrl: string | undefined,
  headers: IncomingHttpHeaders,
  port: number,
  token: string,
): GuardVerdict {
  const host = (headers.host ?? '').toLowerCase();
  if (!allowedHosts(port).includes(host)) {
    return { ok: false, status: 421, message: 'This server only answers requests addressed to its own loopback address.' };
  }
  const origin = headers.origin;
  if (origin !== undefined && !allowedHosts(port).some((h) => origin.toLowerCase() === `http://${h}`)) {
    return { ok: false, status: 403, message: 'Cross-origin requests are refused.' };
  }
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return { ok: false, status: 403, message: 'Cross-site requests are refused.' };
  }
  const url = rawUrl ?? '/';
  const pathOnly = url.split(/[?#]/, 1)[0] ?? '/';
  const auth = headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer ([A-Za-z0-9_-]+)$/.exec(auth);
    if (m && tokenMatches(m[1], token)) return { ok: true, path: pathOnly };
    return { ok: false, status: 401, message: 'The panel token is missing or wrong.' };
  }
  const segments = pathOnly.split('/');
  // segments[0] is '' (the path starts with '/'), segments[1] the candidate token.
  if (tokenMatches(segments[1], token)) {
    const rest = segments.slice(2).join('/');
    return { ok: true, path: segments.length === 2 ? '' : `/${rest}` };
  }
  return { ok: false, status: 401, message: 'The panel token is missing or wrong.' };
}

/** Headers on every answer: nothing cached, sniffed, framed, or leaked in a Referer. */
export const BASE_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};
