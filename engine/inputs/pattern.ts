/** A declaration's `pattern`, compiled; or why it does not compile. */
export type CompiledPattern = { ok: true; regex: RegExp } | { ok: false; message: string };

// Patterns come from templates: few distinct texts, each compiled once per process.
const compiled = new Map<string, CompiledPattern>();
const CACHE_LIMIT = 1000;

/**
 * Compiles a `pattern` as JSON Schema (and so ajv, which checks action parameters) reads it:
 * JavaScript syntax in Unicode mode, unanchored (`^…$` to match the whole value). An input and
 * a parameter with the same pattern then accept the same values.
 */
export function compilePattern(pattern: string): CompiledPattern {
  let result = compiled.get(pattern);
  if (result !== undefined) return result;
  try {
    result = { ok: true, regex: new RegExp(pattern, 'u') };
  } catch (error) {
    // "Invalid regular expression: /(/u: Unterminated group": the part after the last colon says what.
    const text = (error as Error).message;
    result = { ok: false, message: text.slice(text.lastIndexOf(':') + 1).trim() || text };
  }
  if (compiled.size >= CACHE_LIMIT) compiled.clear();
  compiled.set(pattern, result);
  return result;
}

/** True when `text` matches the pattern; a pattern that does not compile matches nothing (the loader refuses it first). */
export function matchesPattern(pattern: string, text: string): boolean {
  const result = compilePattern(pattern);
  return result.ok && result.regex.test(text);
}
