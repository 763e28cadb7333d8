/**
 * Value-based redaction: every secret value the engine learns (API keys, SMTP passwords, tokens
 * an action derives) is replaced by {@link REDACTED} in everything idflow writes: log lines,
 * the console, the journal, `run.json`, inputs, output and the audit trail.
 *
 * @remarks
 * Redacting by value rather than by key is what catches a secret inside a message, a URL, an
 * error text or a stack trace (Backstage switched to it for the same reason). One redactor is
 * shared by every sink of a run and applied at the sink, on the final text, so that no code path
 * can forget it.
 */

/** What a secret is replaced with. */
export const REDACTED = '[REDACTED]';

/**
 * Values shorter than this are not redacted. A value of one to three characters ("1", "yes",
 * "abc") occurs by chance in ordinary text, so replacing it would mangle unrelated output (every
 * `true` in a log line) while protecting nothing: a secret that short can be guessed anyway.
 */
export const MIN_SECRET_LENGTH = 4;

/** Replaces known secret values in text and data. */
export class Redactor {
  /** The secret values as added (what {@link Redactor.size} counts). */
  private readonly values = new Set<string>();
  /** Every form to search for: the values plus their JSON-escaped and URL-encoded forms. */
  private readonly forms = new Set<string>();
  /** Built lazily from `forms`; reset only when a new form is added, so adding a known value costs nothing. */
  private pattern: RegExp | undefined;
  /** The same, for JSON text (see {@link Redactor.redactJson}). */
  private jsonPattern: RegExp | undefined;
  /**
   * The length of the shortest form: a shorter text cannot hold any of them, so it is returned
   * as it is without running the pattern. Most strings the store writes are short keys and
   * values (`type`, `step`, an ISO time) while secrets such as API keys are long, and
   * `redactDeep` runs the pattern on every key and string of every journal event and audit entry.
   */
  private shortestForm = Number.POSITIVE_INFINITY;

  /**
   * Registers a secret value. Values with fewer than {@link MIN_SECRET_LENGTH} characters
   * besides surrounding whitespace are ignored (see there why; four spaces are no secret but
   * occur in every indented text); non-strings are ignored too, so callers may pass what a
   * config file held without checking its type first.
   */
  add(value: string): void {
    if (typeof value !== 'string' || value.trim().length < MIN_SECRET_LENGTH || this.values.has(value)) return;
    this.values.add(value);
    for (const form of encodedForms(value)) {
      if (form.length >= MIN_SECRET_LENGTH && !this.forms.has(form)) {
        this.forms.add(form);
        this.shortestForm = Math.min(this.shortestForm, form.length);
        this.pattern = undefined;
        this.jsonPattern = undefined;
      }
    }
  }

  /** How many distinct secret values are registered. */
  get size(): number {
    return this.values.size;
  }

  /** The text with every registered secret (in any of its encoded forms) replaced by `[REDACTED]`. */
  redact(text: string): string {
    if (text.length < this.shortestForm) return text;
    return text.replace(this.regExp(), REDACTED);
  }

  /**
   * Like {@link Redactor.redact}, for serialized JSON text (a log line): a match that starts
   * right after an escaping backslash is skipped. There the text is an escape sequence (`\n`
   * followed by the rest of a secret that starts with `n`), not the secret, and replacing it
   * would leave an invalid escape (`\[REDACTED]`) that breaks the line.
   */
  redactJson(text: string): string {
    if (text.length < this.shortestForm) return text;
    return text.replace(this.regExp(true), REDACTED);
  }

  /**
   * A copy of `value` in which every string (object keys included) is redacted. Never mutates
   * its argument: winston formats and callers share nested objects with live step data, so
   * rewriting them in place would change the data the run itself uses (winston#880).
   * Plain objects and arrays are copied; other objects (Dates, class instances) are returned as
   * they are, since they are serialized by their own rules. Cycles are preserved, not followed
   * forever.
   */
  redactDeep<T>(value: T): T {
    if (this.forms.size === 0) return value;
    return this.copy(value, new Map()) as T;
  }

  private copy(value: unknown, seen: Map<object, unknown>): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (typeof value !== 'object' || value === null) return value;
    const already = seen.get(value);
    if (already !== undefined) return already;
    if (Array.isArray(value)) {
      const result: unknown[] = [];
      seen.set(value, result);
      for (const item of value) result.push(this.copy(item, seen));
      return result;
    }
    if (value instanceof Error) {
      // Errors are serialized field by field (message, stack, code, …); copy them as plain data
      // so that their text is redacted too.
      const result: Record<string, unknown> = {};
      seen.set(value, result);
      for (const key of ['name', 'message', 'stack', ...Object.keys(value)]) {
        const field = (value as unknown as Record<string, unknown>)[key];
        if (field !== undefined) result[this.redact(key)] = this.copy(field, seen);
      }
      return result;
    }
    const prototype = Object.getPrototypeOf(value) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return value;
    const result: Record<string, unknown> = {};
    seen.set(value, result);
    for (const [key, field] of Object.entries(value)) result[this.redact(key)] = this.copy(field, seen);
    return result;
  }

  private regExp(json = false): RegExp {
    if (json) {
      // Not preceded by an odd run of backslashes (an even run is escaped backslashes: text).
      this.jsonPattern ??= new RegExp(`(?<!(?<!\\\\)\\\\(?:\\\\\\\\)*)(?:${this.alternation()})`, 'g');
      return this.jsonPattern;
    }
    this.pattern ??= new RegExp(this.alternation(), 'g');
    return this.pattern;
  }

  private alternation(): string {
    // Longest first, so that a secret containing another secret is replaced whole.
    return [...this.forms].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|');
  }
}

/**
 * The forms a secret takes in the text idflow writes: as is; JSON-escaped once (a string inside
 * a JSON line) and twice (a JSON document logged as a string inside a JSON line); URL-encoded
 * as a path segment or query value (`encodeURIComponent`) and as a form field (spaces as `+`).
 */
function encodedForms(value: string): string[] {
  const jsonOnce = JSON.stringify(value).slice(1, -1);
  const jsonTwice = JSON.stringify(jsonOnce).slice(1, -1);
  const uri = encodeURIComponent(value);
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  return [value, jsonOnce, jsonTwice, uri, form, encodeURI(value)];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
