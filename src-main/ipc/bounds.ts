// Cuts log text to the contract's caps. Caps count UTF-8 bytes of the JSON-escaped text, not
// characters: a string of control characters triples in size when serialized, and a cap in
// characters would let a hostile row push a response past its bound.
import type { BoundedText } from '../../src-shared/ipc-contract';

/** Worst-case expansion of one UTF-16 code unit in JSON (`\u0001`). */
const MAX_BYTES_PER_UNIT = 6;

/** UTF-8 size of `s` once JSON-escaped, without the quotes. */
export function jsonTextBytes(s: string): number {
  return Buffer.byteLength(JSON.stringify(s)) - 2;
}

/** Longest prefix of `s` whose escaped size is at most maxBytes; never splits a surrogate pair. */
function prefixWithin(s: string, maxBytes: number): string {
  if (s.length * MAX_BYTES_PER_UNIT <= maxBytes || jsonTextBytes(s) <= maxBytes) return s;
  // Every unit costs at least one byte, so the answer is no longer than maxBytes units.
  let lo = 0;
  let hi = Math.min(s.length, maxBytes);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (jsonTextBytes(s.slice(0, mid)) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  const code = s.charCodeAt(lo - 1);
  if (lo > 0 && code >= 0xd800 && code <= 0xdbff) lo -= 1;
  return s.slice(0, lo);
}

const ELLIPSIS = '…';
const ELLIPSIS_BYTES = Buffer.byteLength(ELLIPSIS);

/** A short text for a row: cut with a trailing ellipsis. */
export function clipText(s: string, maxBytes: number): string {
  const head = prefixWithin(s, maxBytes);
  return head.length === s.length ? s : prefixWithin(s, maxBytes - ELLIPSIS_BYTES) + ELLIPSIS;
}

export function clipNullable(s: string | null, maxBytes: number): string | null {
  return s === null ? null : clipText(s, maxBytes);
}

/** A payload (JSON input, command, output): cut without marker, flagged, with its full size. */
export function boundText(s: string, maxBytes: number): BoundedText {
  const text = prefixWithin(s, maxBytes);
  return { text, truncated: text.length !== s.length, fullSize: Buffer.byteLength(s) };
}

export function boundNullable(s: string | null, maxBytes: number): BoundedText | null {
  return s === null ? null : boundText(s, maxBytes);
}
