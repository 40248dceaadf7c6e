// The subsystem's Electron entry (`launcher-saga/electron`): what an app's Electron main process
// uses. Loads 'electron' at run time, so only an Electron main process may import it.
export { runElectronApp } from './host';
export type { ElectronHostOptions } from './host';
export { servePanelOverIpc } from './serve-panel-ipc';
export type { ServePanelOverIpcOptions } from './serve-panel-ipc';
export { createUtilityPeerSpawner } from './utility-peer';
