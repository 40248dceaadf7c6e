// The application menu as a plain template, so the panel's menu item and its shortcut are
// checked by a test rather than by someone opening the app.
import type { MenuItemConstructorOptions } from 'electron';

export const SAGA_PANEL_ACCELERATOR = 'CmdOrCtrl+Shift+S';

export interface MenuActions {
  openLauncher: () => void;
  openSagaPanel: () => void;
}

export interface MenuOptions {
  platform: NodeJS.Platform;
  /** Reload and developer tools only in a development build (app.isPackaged false). */
  developerItems: boolean;
}

export function appMenuTemplate(actions: MenuActions, options: MenuOptions): MenuItemConstructorOptions[] {
  const template: MenuItemConstructorOptions[] = [];
  if (options.platform === 'darwin') template.push({ role: 'appMenu' });
  template.push(
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { id: 'open-launcher', label: 'Launcher', click: () => actions.openLauncher() },
        {
          id: 'open-saga-panel',
          label: 'Saga Panel',
          accelerator: SAGA_PANEL_ACCELERATOR,
          click: () => actions.openSagaPanel(),
        },
        ...(options.developerItems
          ? ([{ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' }] as MenuItemConstructorOptions[])
          : []),
      ],
    },
    { role: 'windowMenu' },
  );
  return template;
}

/** Finds an item by id anywhere in a template (tests, and main when it needs the item). */
export function findMenuItem(template: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions | null {
  for (const item of template) {
    if (item.id === id) return item;
    if (Array.isArray(item.submenu)) {
      const found = findMenuItem(item.submenu, id);
      if (found) return found;
    }
  }
  return null;
}
