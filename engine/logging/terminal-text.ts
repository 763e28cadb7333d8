/**
 * Text for a terminal: every character that a terminal would act on instead of showing is shown
 * as an escape (`\x1b`, `\r`, `\x9b`, `\u202e`), visibly, not dropped.
 *
 * @remarks
 * Why: subjects, reasons, names and error messages come from events, CSV files and API answers,
 * i.e. from whoever sends them. Written raw, `\x1b[2J` clears the admin's screen and
 * `\r+ Run succeeded` overwrites a line with a fake one. Shown escaped, the admin sees exactly
 * what was sent. JSON output needs none of this (JSON escapes control characters itself).
 *
 * Escaped: C0 controls (U+0000–U+001F; a newline only where `keepNewlines` says the layout
 * needs it), DEL (U+007F), C1 controls (U+0080–U+009F, `\x9b` is a one-byte CSI on some
 * terminals), and the Unicode bidirectional overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069), which reorder what follows them on screen. A backslash is left as it is.
 */

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_WITH_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` with every control character shown as an escape (see the module's remarks).
 *
 * @param options.keepNewlines - leave `\n` as it is: for text whose lines are laid out by idflow
 *   (a table, a report); a single value put into such a layout should be escaped without it.
 */
export function terminalSafe(text: string, options: { keepNewlines?: boolean } = {}): string {
  const pattern = options.keepNewlines === true ? UNSAFE : UNSAFE_WITH_NEWLINE;
  pattern.lastIndex = 0;
  if (!pattern.test(text)) return text;
  pattern.lastIndex = 0;
  return text.replace(pattern, escapeOne);
}

function escapeOne(character: string): string {
  const named = NAMED[character];
  if (named !== undefined) return named;
  const code = character.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * A copy of plain data with every string in it (not the keys) made terminal-safe, newlines
 * included: for a view that lays out values it takes from a structure (a plan) and adds its own
 * colours, which must not be escaped.
 */
export function terminalSafeDeep<T>(value: T): T {
  if (typeof value === 'string') return terminalSafe(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => terminalSafeDeep(item)) as T;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = terminalSafeDeep(item);
    return copy as T;
  }
  return value;
}
