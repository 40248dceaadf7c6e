// The e2e side of the Electron binary lookup `npm start` uses (scripts/electron-binary.mjs).
import path from 'node:path';
import { type ElectronBinary, findElectronBinary as findIn } from '../../scripts/electron-binary.mjs';

const ROOT = path.resolve(__dirname, '..', '..');

export function findElectronBinary(): ElectronBinary {
  return findIn(ROOT);
}

/** The prefix of every skip reason the Electron project gives; the summary reporter groups by it. */
export const ELECTRON_SKIP_PREFIX = 'Electron: no Electron binary on this machine: ';
