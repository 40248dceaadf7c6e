// Who may talk to main over IPC: the top-level frame of one of our own windows, showing a
// page from our own origin. A frame that navigated elsewhere, an iframe, or a web contents
// we did not create gets a refusal before any handler sees the message.
import type { IpcMainInvokeEvent } from 'electron';
import { isAppUrl } from './app-origin';

export interface SenderInfo {
  /** URL of the sending frame; null when the frame is already gone. */
  frameUrl: string | null;
  isTopLevel: boolean;
  webContentsId: number;
}

export type SenderVerdict = { ok: true } | { ok: false; reason: string };

export function checkSender(sender: SenderInfo, knownWebContentsIds: ReadonlySet<number>): SenderVerdict {
  if (!knownWebContentsIds.has(sender.webContentsId)) return { ok: false, reason: 'the sender is not a window of this app' };
  if (sender.frameUrl === null) return { ok: false, reason: 'the sending frame no longer exists' };
  if (!sender.isTopLevel) return { ok: false, reason: 'the sender is not a top-level frame' };
  if (!isAppUrl(sender.frameUrl)) return { ok: false, reason: 'the sender is not showing a page of this app' };
  return { ok: true };
}

/** Reads what checkSender needs off an Electron invoke event. */
export function senderInfoOf(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>): SenderInfo {
  const frame = event.senderFrame;
  return {
    frameUrl: frame ? frame.url : null,
    isTopLevel: frame !== null && frame.parent === null,
    webContentsId: event.sender.id,
  };
}
