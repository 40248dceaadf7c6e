// The one origin our windows load from. Content comes from a custom protocol rather than
// file:// so that a page cannot read arbitrary local files by URL and the CSP 'self' means
// exactly our bundle.

export const APP_SCHEME = 'app';
export const APP_HOST = 'panel';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** The pages the app ships; anything else is not ours to open in a window. */
export type AppPage = 'launcher.html' | 'index.html';

export function appUrl(page: AppPage): string {
  return `${APP_ORIGIN}/${page}`;
}

/** True when `url` is a well-formed URL on our app origin (scheme and host both match). */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // Compare parts, not string prefixes: `app://panel.evil/` or `app://panel@evil/` must not pass.
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.hostname === APP_HOST &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/**
 * Sent with every page. No remote content at all: scripts, styles and images only from our
 * origin, no inline script, no eval, no plugins, no framing, no form posts anywhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
