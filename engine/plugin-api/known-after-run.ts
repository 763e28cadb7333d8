/**
 * Values a plan cannot know: what a step will only have once it has run (the id JumpCloud gives
 * a user the step creates, say). A step's `plan()` puts one in its output where `run()` would
 * put the value; the engine carries it into later steps' parameters and conditions, so that
 * they are still planned (see docs/plugins.md, "Values known only after the run").
 */

/** Marks the values {@link knownAfterRun} makes, across copies of the engine's module (a plugin may load its own). */
const BRAND: unique symbol = Symbol.for('idflow.known-after-run') as never;

/** A value a plan cannot know yet: it exists once the step that makes it has run. */
export interface KnownAfterRun {
  readonly [BRAND]: true;
  /** What the value will be, in words: `id of the new user amy.new`. */
  readonly description: string;
  /**
   * What the plan already knows of the object the value will name (e.g. the username, email and
   * names of the user a step would create), as plain data, so that a later step's plan can name it.
   */
  readonly planned?: Readonly<Record<string, unknown>>;
  /**
   * For text that only partly depends on such values: the text as far as it is known, each
   * unknown part written `(known after run: …)`.
   */
  readonly preview?: string;
  /** `(known after run: <description>)`, or the preview of a text. */
  toString(): string;
  /** The shape `plan --json` shows: `{ "known_after_run": "<description>" }` (and the preview of a text). */
  toJSON(): { known_after_run: string; preview?: string };
}

/** Where the values printed during a render are noted (renders are synchronous: one at a time). */
let printedSink: KnownAfterRun[] | undefined;

/** The descriptions of the values a text known only after the run is made of (its own description is built from them). */
const textSources = new WeakMap<KnownAfterRun, readonly string[]>();

class UnknownValue implements KnownAfterRun {
  readonly [BRAND] = true as const;
  readonly description: string;
  readonly planned?: Readonly<Record<string, unknown>>;
  readonly preview?: string;

  constructor(description: string, planned: Readonly<Record<string, unknown>> | undefined, preview: string | undefined) {
    this.description = description;
    if (planned !== undefined) this.planned = Object.freeze({ ...planned });
    if (preview !== undefined) this.preview = preview;
    Object.freeze(this);
  }

  toString(): string {
    // A template printing the value makes its whole text known only after the run.
    printedSink?.push(this);
    return this.preview ?? `(known after run: ${this.description})`;
  }

  toJSON(): { known_after_run: string; preview?: string } {
    return { known_after_run: this.description, ...(this.preview === undefined ? {} : { preview: this.preview }) };
  }
}

/**
 * A value known only after the run, for a step's `plan()` output, e.g.
 * `{ user: { id: knownAfterRun('id of the new user amy.new', { planned: { username: 'amy.new' } }), username: 'amy.new' } }`.
 *
 * @param description - what the value will be, in words (shown in plans as `(known after run: …)`).
 * @param options.planned - what is known already of the object the value will name (plain data).
 */
export function knownAfterRun(description: string, options: { planned?: Readonly<Record<string, unknown>>; preview?: string } = {}): KnownAfterRun {
  if (typeof description !== 'string' || description.trim() === '') throw new TypeError('knownAfterRun needs a description of the value, e.g. "id of the new user amy.new"');
  return new UnknownValue(description.trim(), options.planned, options.preview);
}

/** Whether a value is one {@link knownAfterRun} made. */
export function isKnownAfterRun(value: unknown): value is KnownAfterRun {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

/** One value known only after the run inside a larger one, and where (`user_id`, `groups[1]`, `body.owner`). */
export interface UnknownPart {
  path: string;
  /** The same path as keys and list indexes. */
  segments: ReadonlyArray<string | number>;
  value: KnownAfterRun;
}

/** Every value known only after the run in `value` (at any depth of plain objects and lists), with its path. */
export function findKnownAfterRun(value: unknown): UnknownPart[] {
  const found: UnknownPart[] = [];
  const walk = (item: unknown, segments: Array<string | number>): void => {
    if (isKnownAfterRun(item)) {
      found.push({ path: segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join(''), segments: [...segments], value: item });
    } else if (Array.isArray(item)) {
      item.forEach((entry, index) => walk(entry, [...segments, index]));
    } else if (typeof item === 'object' && item !== null && Object.getPrototypeOf(item) === Object.prototype) {
      for (const [key, entry] of Object.entries(item)) walk(entry, [...segments, key]);
    }
  };
  walk(value, []);
  return found;
}

/**
 * Runs a render and returns what it printed, with the values known only after the run that it
 * printed (each through its `toString`). Used by the template engine to make a text with
 * unknown parts itself known only after the run.
 */
export function collectPrinted<T>(render: () => T): { result: T; printed: KnownAfterRun[] } {
  const previous = printedSink;
  const printed: KnownAfterRun[] = [];
  printedSink = printed;
  try {
    return { result: render(), printed };
  } finally {
    printedSink = previous;
  }
}

/** Notes, in the render in progress, that a value known only after the run decided what it printed (e.g. an `{{#if}}` over it). */
export function notePrinted(value: KnownAfterRun): void {
  printedSink?.push(value);
}

/**
 * A text with parts known only after the run: known itself only after the run, described by
 * what it is made of, its preview the text with each unknown part written out.
 */
export function unknownText(preview: string, parts: readonly KnownAfterRun[]): KnownAfterRun {
  // A text printed into another counts by what it is made of, not as "text with text with …".
  const descriptions = [...new Set(parts.flatMap((part) => textSources.get(part) ?? [part.description]))];
  const text = knownAfterRun(`text with the ${descriptions.join('; the ')}`, { preview });
  textSources.set(text, descriptions);
  return text;
}
