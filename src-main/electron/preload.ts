// Runs in every window before its page, sandboxed, with context isolation. It exposes the
// two small typed APIs and never ipcRenderer itself: a page that could call
// ipcRenderer.send/invoke directly could reach any channel main listens on.
// First, before any module builds a schema (see zod-jitless.ts).
import '../../src-shared/zod-jitless';
import { contextBridge, ipcRenderer } from 'electron';
import { PANEL_API_GLOBAL } from '../../src-shared/ipc-contract';
import { LAUNCHER_API_GLOBAL } from '../../src-shared/launcher-contract';
import { launcherApiOver, panelApiOver } from './preload-bridge';

contextBridge.exposeInMainWorld(PANEL_API_GLOBAL, panelApiOver(ipcRenderer));
contextBridge.exposeInMainWorld(LAUNCHER_API_GLOBAL, launcherApiOver(ipcRenderer));
