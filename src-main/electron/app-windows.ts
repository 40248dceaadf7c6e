// The app's two windows. Each is created with windowOptions() and loads its page from the
// app:// origin; the set of their web contents ids is what the IPC sender check trusts.
import { BrowserWindow, type WebContents } from 'electron';
import { type AppPage, appUrl } from './app-origin';
import { type WindowKind, windowOptions } from './web-security';

const PAGES: Record<WindowKind, AppPage> = { launcher: 'launcher.html', panel: 'index.html' };

export class AppWindows {
  private readonly windows = new Map<WindowKind, BrowserWindow>();
  private readonly ids = new Set<number>();

  constructor(private readonly preloadPath: string) {}

  /** Web contents ids of the windows we created and that are still open. */
  knownWebContentsIds(): ReadonlySet<number> {
    return this.ids;
  }

  /** Where pushes go: the open saga panel, if any. */
  panelContents(): WebContents[] {
    const panel = this.windows.get('panel');
    return panel && !panel.isDestroyed() ? [panel.webContents] : [];
  }

  open(kind: WindowKind): BrowserWindow {
    const existing = this.windows.get(kind);
    if (existing && !existing.isDestroyed()) {
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return existing;
    }
    const win = new BrowserWindow(windowOptions(kind, this.preloadPath));
    // Captured now: after 'closed' the web contents is destroyed and its id unreadable.
    const id = win.webContents.id;
    this.ids.add(id);
    this.windows.set(kind, win);
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      this.ids.delete(id);
      if (this.windows.get(kind) === win) this.windows.delete(kind);
    });
    void win.loadURL(appUrl(PAGES[kind]));
    return win;
  }

  /** A second launch lands here: bring the app forward rather than open a second copy. */
  focusFirst(): void {
    this.open(!this.windows.has('launcher') && this.windows.has('panel') ? 'panel' : 'launcher');
  }
}
