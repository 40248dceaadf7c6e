// The Content-Security-Policy every host serves the panel with (Electron's protocol handler and
// the headless HTTP server alike): the panel is one local bundle and must never load remote code.
export const PANEL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
