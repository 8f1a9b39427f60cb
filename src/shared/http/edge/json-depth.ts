import { WIRE_LIMITS } from './wire-safe.js';

const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Past this, JSON is refused unparsed; between the wire limit and this, the wire guard names the field. */
export const UNPARSED_MAX_DEPTH = 256;

/** The refusal's message: what was found, and what is allowed. */
export const TOO_DEEP_MESSAGE = `body nests deeper than ${UNPARSED_MAX_DEPTH} levels (at most ${WIRE_LIMITS.maxDepth} are accepted)`;

/**
 * Whether JSON text nests deeper than `maxDepth` containers, found by one loop over its bytes
 * before JSON.parse: a 2 MB body of a million `[` would otherwise build a million arrays
 * (tens of MB per request, and seconds of event loop) only to be refused by the wire guard.
 */
export function jsonNestsDeeper(text: Buffer | string, end = text.length, maxDepth: number = UNPARSED_MAX_DEPTH): boolean {
  if (end <= maxDepth || fewBrackets(text, end, maxDepth)) return false; // a tensor body: numbers, few brackets
  let depth = 0;
  let inString = false;
  const at = typeof text === 'string' ? (i: number) => text.charCodeAt(i) : (i: number) => text[i]!;
  for (let i = 0; i < end; i++) {
    const c = at(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return false;
}

/** At most `max` opening brackets in all, counted by native `indexOf`: then no nesting can exceed `max`. */
function fewBrackets(text: Buffer | string, end: number, max: number): boolean {
  let count = 0;
  for (const bracket of ['[', '{']) {
    for (let i = text.indexOf(bracket); i !== -1 && i < end; i = text.indexOf(bracket, i + 1)) if (++count > max) return false;
  }
  return true;
}

/** body-parser's `verify` hook (runs before its JSON.parse): a 400 for JSON nested too deep. */
export function refuseDeepJson(_req: unknown, _res: unknown, body: Buffer): void {
  if (jsonNestsDeeper(body)) throw Object.assign(new Error(TOO_DEEP_MESSAGE), { status: 400, type: 'entity.verify.failed' });
}
