// The workspace app's Electron main process (dist/electron/main.js, package.json `main`).
import path from 'node:path';
import { runElectronApp } from '../electron/index';
import { workspaceApp } from './app';

// dist/electron/main.js -> dist
const distDir = path.resolve(__dirname, '..');

runElectronApp(workspaceApp({ peersDir: path.join(distDir, 'peers') }), {
  rendererDir: path.join(distDir, 'renderer'),
  preloadPath: path.join(__dirname, 'preload.js'),
});
