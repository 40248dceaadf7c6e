// The one Content-Security-Policy our pages are served with, by both hosts: Electron's app://
// protocol handler and the headless HTTP server. The pages are local bundles and must never
// load remote code: no inline script, no eval, no plugins, no framing, no form posts anywhere.
//
// The hosts differ in one directive only, and it is a parameter so the difference is visible:
// in Electron the page reaches main through the preload's IPC and fetches nothing
// (connect-src 'none'); headless, the same page calls its API on its own origin over HTTP
// (connect-src 'self').

export interface PanelCspOptions {
  connectSrc: "'none'" | "'self'";
}

export function panelCsp({ connectSrc }: PanelCspOptions): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connectSrc}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
