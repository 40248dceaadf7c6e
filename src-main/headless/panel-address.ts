// The panel's address kept across launches of one profile: the token lives in a file in the
// profile that only its user can read, and the port is reused when it is free, so a bookmark
// or an open tab reaches the app again after a relaunch.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { newToken } from './request-guard';

export const PANEL_ADDRESS_FILE = 'panel-address.json';

const StoredAddress = z.strictObject({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  /** 0 until a server has listened once. */
  port: z.number().int().min(0).max(65535),
});
export type PanelAddressRecord = z.infer<typeof StoredAddress>;

export interface PanelAddressOptions {
  /** Forget the stored token (and port) and make a new one, e.g. after the URL leaked. */
  renew?: boolean;
}

export interface LoadedPanelAddress extends PanelAddressRecord {
  /** Why a new token was made, or null when the stored one is reused. */
  renewedBecause: string | null;
}

function fileOf(userDataDir: string): string {
  return path.join(userDataDir, PANEL_ADDRESS_FILE);
}

/** Mode bits beyond the owner's: a token others could read is no secret. */
function readableByOthers(file: string): boolean {
  if (process.platform === 'win32') return false;
  return (fs.statSync(file).mode & 0o077) !== 0;
}

/** Written next to its place and renamed over it, created 0600: never half a file, never readable by others. */
export function savePanelAddress(userDataDir: string, address: PanelAddressRecord): void {
  const record = StoredAddress.parse(address);
  const file = fileOf(userDataDir);
  const tmp = `${file}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, `${JSON.stringify(record)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/**
 * The stored address, or a new token (port 0: any free one) written in its place when the file
 * is missing, unreadable, malformed, readable by others, or `renew` asks for it.
 */
export function loadOrCreatePanelAddress(userDataDir: string, options: PanelAddressOptions = {}): LoadedPanelAddress {
  const file = fileOf(userDataDir);
  let because: string;
  if (options.renew) because = 'a new address was asked for';
  else if (!fs.existsSync(file)) because = 'no address was stored yet';
  else if (readableByOthers(file)) because = `${PANEL_ADDRESS_FILE} was readable by other users`;
  else {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      raw = undefined;
    }
    const stored = StoredAddress.safeParse(raw);
    if (stored.success) return { ...stored.data, renewedBecause: null };
    because = `${PANEL_ADDRESS_FILE} could not be read`;
  }
  const fresh = { token: newToken(), port: 0 };
  fs.mkdirSync(userDataDir, { recursive: true });
  savePanelAddress(userDataDir, fresh);
  return { ...fresh, renewedBecause: because };
}
