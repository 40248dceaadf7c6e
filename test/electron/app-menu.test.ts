import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import { SAGA_PANEL_ACCELERATOR, appMenuTemplate, findMenuItem } from '../../src-main/electron/app-menu';

function click(item: MenuItemConstructorOptions | null): void {
  assert.ok(item?.click, 'item has a click handler');
  (item.click as () => void)();
}

describe('application menu', () => {
  test('has a Saga Panel item with the shortcut that opens the panel', () => {
    const opened: string[] = [];
    const actions = { openLauncher: () => opened.push('launcher'), openSagaPanel: () => opened.push('panel') };
    const template = appMenuTemplate(actions, { platform: 'linux', developerItems: false });
    const panel = findMenuItem(template, 'open-saga-panel');
    assert.equal(panel?.accelerator, SAGA_PANEL_ACCELERATOR);
    assert.equal(SAGA_PANEL_ACCELERATOR, 'CmdOrCtrl+Shift+S');
    click(panel);
    click(findMenuItem(template, 'open-launcher'));
    assert.deepEqual(opened, ['panel', 'launcher']);
  });

  test('developer tools only in development builds; the app menu only on macOS', () => {
    const actions = { openLauncher: () => {}, openSagaPanel: () => {} };
    const roles = (t: MenuItemConstructorOptions[]): string[] =>
      t.flatMap((i) => [...(i.role ? [i.role] : []), ...(Array.isArray(i.submenu) ? roles(i.submenu) : [])]);
    assert.ok(!roles(appMenuTemplate(actions, { platform: 'linux', developerItems: false })).includes('toggleDevTools'));
    assert.ok(roles(appMenuTemplate(actions, { platform: 'linux', developerItems: true })).includes('toggleDevTools'));
    assert.ok(roles(appMenuTemplate(actions, { platform: 'darwin', developerItems: false })).includes('appMenu'));
    assert.ok(!roles(appMenuTemplate(actions, { platform: 'win32', developerItems: false })).includes('appMenu'));
  });
});
