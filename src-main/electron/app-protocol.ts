// Serves the built renderer (dist/renderer) on the app origin. Plain Fetch API in and out,
// so the whole handler runs, and is tested, under Node; main.ts hands it to protocol.handle.
import fs from 'node:fs/promises';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY, isAppUrl } from './app-origin';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
};

export type AppPathResolution =
  | { ok: true; file: string; contentType: string }
  | { ok: false; status: 400 | 403 | 404; reason: string };

/**
 * Maps an app:// URL to a file inside `rootDir`, lexically. Refuses anything that could
 * step outside it: `..` smuggled in as %2e%2e or %2f, backslashes (a separator on
 * Windows), NUL bytes, other hosts, and file types we never ship.
 */
export function resolveAppPath(rootDir: string, url: string): AppPathResolution {
  if (!isAppUrl(url)) return { ok: false, status: 404, reason: 'not an app:// URL of this app' };
  const rawPath = new URL(url).pathname;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, status: 400, reason: 'malformed percent-encoding in the path' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) {
    return { ok: false, status: 400, reason: 'the path holds a NUL byte or a backslash' };
  }
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.')) {
    return { ok: false, status: 403, reason: 'the path tries to leave the app folder' };
  }
  if (segments.length === 0) return { ok: false, status: 404, reason: 'no file named in the path' };
  const root = path.resolve(rootDir);
  const file = path.resolve(root, ...segments);
  const rel = path.relative(root, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    return { ok: false, status: 403, reason: 'the path tries to leave the app folder' };
  }
  const contentType = CONTENT_TYPES[path.extname(file).toLowerCase()];
  if (!contentType) return { ok: false, status: 404, reason: 'not a file type the app serves' };
  return { ok: true, file, contentType };
}

/** Headers every answer carries, errors included: the CSP must hold even on an error page. */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
  };
}

function errorResponse(status: number, reason: string): Response {
  return new Response(`${reason}\n`, {
    status,
    headers: { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8' },
  });
}

/** The protocol handler: GET/HEAD of a shipped file, never a throw (an error is a status). */
export async function serveAppRequest(rootDir: string, request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return errorResponse(405, 'method not allowed');
  const resolved = resolveAppPath(rootDir, request.url);
  if (!resolved.ok) return errorResponse(resolved.status, resolved.reason);
  try {
    // A symlink inside dist could still point outside it; compare real paths too.
    const [realRoot, realFile] = await Promise.all([fs.realpath(rootDir), fs.realpath(resolved.file)]);
    const rel = path.relative(realRoot, realFile);
    if (rel.startsWith('..') || path.isAbsolute(rel)) {
      return errorResponse(403, 'the path tries to leave the app folder');
    }
    const body = await fs.readFile(realFile);
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: { ...securityHeaders(), 'Content-Type': resolved.contentType },
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return errorResponse(404, 'no such file');
    return errorResponse(500, 'the file could not be read');
  }
}
