// Fields a saga marks sensitive (tokens, passwords) never reach the log or the panel:
// they are replaced before anything is persisted, while the peer still gets the real value.

export const REDACTED = '[redacted]';

/** A shallow copy of `value` with each named top-level field replaced; other values pass through. */
export function redact(value: unknown, fields: readonly string[]): unknown {
  if (fields.length === 0 || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  let copy: Record<string, unknown> | null = null;
  for (const f of fields) {
    if (Object.hasOwn(value, f)) {
      copy ??= { ...(value as Record<string, unknown>) };
      copy[f] = REDACTED;
    }
  }
  return copy ?? value;
}

/** JSON for the log; `undefined` (a handler that returns nothing) is stored as null. */
export function toLogJson(value: unknown, fields: readonly string[]): string {
  return JSON.stringify(redact(value, fields) ?? null);
}
