// The one origin our windows load from. Content comes from a custom protocol rather than
// file:// so that a page cannot read arbitrary local files by URL and the CSP 'self' means
// exactly our bundle.
import { panelCsp } from '../../src-shared/panel-csp';

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

/** Sent with every page; the page talks to main only through the preload, so it fetches nothing. */
export const CONTENT_SECURITY_POLICY = panelCsp({ connectSrc: "'none'" });
