/*
 * What the server sends is shown, never obeyed. A registered model's name, description or
 * error could otherwise carry terminal escapes (set the title, clear the screen, plant an
 * OSC 8 link) or bidi controls that reorder what the reader sees (Trojan Source).
 */

/** C0, DEL and C1 (0x9B alone starts a CSI on some terminals), and the bidi marks, embeddings, overrides and isolates. */
const UNSAFE = new RegExp('[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]', 'g');
/** The same, but for a whole block of the CLI's own output: its line breaks stay. */
const UNSAFE_BUT_NEWLINE = new RegExp('[\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]', 'g');
/** What JSON.stringify leaves raw inside strings (it escapes C0 itself). */
const UNSAFE_IN_JSON = new RegExp('[\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]', 'g');

const hex = (c: string, width: number): string => c.charCodeAt(0).toString(16).padStart(width, '0');

/** `\x1b` for a byte-sized character, `\u202e` above. */
const asEscape = (c: string): string => (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`);

/** One value from the server, as printable text: every control character escaped, line breaks included. */
export function safeText(value: unknown): string {
  return String(value).replace(UNSAFE, asEscape);
}

/** A block of output: line breaks are the CLI's own layout, everything else unsafe is escaped. */
export function safeBlock(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, asEscape);
}

/**
 * JSON with the characters JSON.stringify leaves raw written as `\uXXXX`: they can only
 * occur inside strings, so the document stays valid and parses back to the same value.
 */
export function safeJson(value: unknown, indent?: number): string {
  const text = JSON.stringify(value, null, indent) ?? 'null';
  return text.replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c, 4)}`);
}
