// A programmatic client of the headless transport (benchmarks, scripts): one POST per call,
// authenticated with the Bearer token, returning the raw size so callers can check the bound.
import type { Channel } from '../../src-shared/ipc-contract';

export interface PanelAddress {
  origin: string;
  token: string;
}

export interface PanelReply {
  status: number;
  bytes: number;
  body: unknown;
}

export async function callPanel(address: PanelAddress, channel: Channel, request: unknown): Promise<PanelReply> {
  const res = await fetch(`${address.origin}/api/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${address.token}` },
    body: JSON.stringify(request),
  });
  const text = await res.text();
  return { status: res.status, bytes: Buffer.byteLength(text), body: JSON.parse(text) as unknown };
}
