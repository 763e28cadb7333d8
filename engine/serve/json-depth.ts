/** The deepest nesting of arrays and objects an event body may have. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether JSON text nests arrays and objects deeper than `limit`, found by one pass over the
 * raw bytes, before anything parses it: a parser, a matcher or a redactor that walks a value
 * recursively would otherwise run out of stack on a body like `[[[[…]]]]` 10,000 deep, and a
 * sender told "500" retries forever. Brackets inside strings do not count (escapes are
 * followed; UTF-8 continuation bytes never look like a quote or a backslash). Text that is not
 * JSON at all is left for the parser to refuse.
 */
export function exceedsJsonDepth(text: Buffer | string, limit: number = MAX_JSON_DEPTH): boolean {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
      if (depth > limit) return true;
    } else if ((byte === CLOSE_BRACE || byte === CLOSE_BRACKET) && depth > 0) {
      depth -= 1;
    }
  }
  return false;
}
