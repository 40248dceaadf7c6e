// Window and web-contents hardening, built by plain functions so tests can read exactly
// what every window gets. Only types come from 'electron': this module runs under Node.
import type { BrowserWindowConstructorOptions, Session, WebContents, WebPreferences } from 'electron';
import { isAppUrl } from './app-origin';

/** The preferences every window of the app is created with; no caller can loosen them. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    // The renderer is untrusted: it reaches main only through the preload's small API.
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    enableBlinkFeatures: '',
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
  };
}

export type WindowKind = 'launcher' | 'panel';

const SIZES: Record<WindowKind, { width: number; height: number; minWidth: number; minHeight: number; title: string }> =
  {
    launcher: { width: 520, height: 420, minWidth: 360, minHeight: 300, title: 'Launcher' },
    panel: { width: 1100, height: 720, minWidth: 640, minHeight: 400, title: 'Saga panel' },
  };

export function windowOptions(kind: WindowKind, preloadPath: string): BrowserWindowConstructorOptions {
  const size = SIZES[kind];
  return {
    ...size,
    // Shown on 'ready-to-show' so a user never sees an empty white frame.
    show: false,
    backgroundColor: '#1e1e1e',
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/** Navigation stays on our own pages; anything else (a link, a redirect, a drop) is refused. */
export function isNavigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/** A will-navigate / will-redirect listener. Returns whether the navigation was let through. */
export function guardNavigation(event: { preventDefault(): void }, url: string): boolean {
  if (isNavigationAllowed(url)) return true;
  event.preventDefault();
  return false;
}

/** window.open and target=_blank: never a new window, never handed to the OS browser. */
export function windowOpenDecision(): { action: 'deny' } {
  return { action: 'deny' };
}

/** No page of ours needs a camera, notifications, the clipboard or anything else. */
export function denyPermissionRequest(_contents: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false);
}

export function denyPermissionCheck(): boolean {
  return false;
}

/** Applies the guards to one web contents (every one the app creates, see main.ts). */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => guardNavigation(event, url));
  contents.on('will-redirect', (event, url) => guardNavigation(event, url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(windowOpenDecision);
}

export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler(denyPermissionRequest);
  session.setPermissionCheckHandler(denyPermissionCheck);
}
