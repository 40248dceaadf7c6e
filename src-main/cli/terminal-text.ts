// Text from the log reaches the operator's terminal; a stored review note or saga name could
// otherwise clear the screen, set the window title or fake a line. Control characters (C0, DEL,
// C1), line and paragraph separators and bidi overrides are written as visible escapes.

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

/** One line of output with every unsafe character shown as an escape (`\e`, `\n`, `\x07`, `\u202e`). */
export function visible(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * JSON text with the characters JSON.stringify leaves raw (DEL, C1, separators, bidi overrides)
 * escaped as \uXXXX: they only occur inside strings, where the escape means the same character.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
