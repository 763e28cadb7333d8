/**
 * Taint tracking for one render: every text a template derives from a secret is reported, so
 * that the redactor knows `{{upper (secret "X")}}` as well as `{{secret "X"}}`.
 *
 * @remarks
 * The redactor replaces secret values it has been told about; it cannot recognise a value a
 * helper made from a secret (upper-cased, trimmed, joined, JSON-encoded, concatenated with a
 * prefix, …). Refusing helpers over secrets would forbid ordinary uses (`{{concat "Bearer "
 * (secret "TOKEN")}}`), so the engine follows the secret instead:
 *
 * - the `secret` helper's value is tainted;
 * - every helper call is checked after it returns (in `callHelper`, the one place both the
 *   Handlebars render and the single-expression evaluator call helpers, so it holds for every
 *   helper and every depth of sub-expression): when an argument holds tainted text (itself,
 *   inside a longer text, or anywhere inside a list or object), each text the call made is
 *   tainted: a text result, or the texts of a list/object result that were not already among
 *   its arguments (so `(list (secret "X") "name")` does not make "name" a secret);
 * - inside `{{#with}}`/`{{#each}}` over a tainted value every helper's text result is tainted,
 *   whatever its arguments, since `this` and its parts are the secret's;
 * - the text a render produces is tainted when the render read a secret at all (also a secret
 *   only tested by `{{#if}}`: the text then depends on it).
 *
 * Numbers and booleans a helper derives from a secret (`length`, `eq`, `gt`) are not reported:
 * they cannot be redacted by value without blanking every `true` or `16` in a log, and they say
 * no more about the secret than its size or one comparison. Every tainted text goes to the sink
 * (the run's redactor), which ignores texts too short to redact.
 */
export class SecretTaint {
  /** The tainted texts of this render, the secrets first. */
  private readonly texts = new Set<string>();
  /** How many `{{#with}}`/`{{#each}}` over a tainted value the render is inside. */
  private taintedBlocks = 0;

  constructor(private readonly sink: (value: string) => void) {}

  /** True once the render has read a secret. */
  get touched(): boolean {
    return this.texts.size > 0;
  }

  /** Taints a secret's value (the `secret` helper's result). */
  addSecret(value: string): void {
    this.taint(value);
  }

  /** Taints a text the render produced (see {@link SecretTaint.touched}). */
  addRendered(value: string): void {
    this.taint(value);
  }

  /** True when `value` holds tainted text anywhere (as is, inside a longer text, in a list or object). */
  holds(value: unknown): boolean {
    if (this.texts.size === 0) return false;
    return someText(value, (text) => this.containsTainted(text));
  }

  /**
   * Follows one helper call: taints the texts `result` made when an argument held tainted text
   * or the call sits in a tainted block.
   */
  followCall(args: readonly unknown[], result: unknown): void {
    if (this.texts.size === 0) return;
    if (this.taintedBlocks === 0 && !args.some((arg) => this.holds(arg))) return;
    if (typeof result === 'string') {
      this.taint(result);
      return;
    }
    const given = new Set<string>();
    for (const arg of args) {
      someText(arg, (text) => {
        given.add(text);
        return false;
      });
    }
    someText(result, (text) => {
      if (!given.has(text)) this.taint(text);
      return false;
    });
  }

  /** Runs a block's body over `context`; when the context holds tainted text, inside a tainted block. */
  inBlock<T>(context: unknown, body: () => T): T {
    if (!this.holds(context)) return body();
    this.taintedBlocks += 1;
    try {
      return body();
    } finally {
      this.taintedBlocks -= 1;
    }
  }

  private taint(text: string): void {
    if (text === '' || this.texts.has(text)) return;
    this.texts.add(text);
    this.sink(text);
  }

  private containsTainted(text: string): boolean {
    if (this.texts.has(text)) return true;
    for (const tainted of this.texts) if (tainted.length > 0 && text.includes(tainted)) return true;
    return false;
  }
}

/** True when `test` holds for some text in `value` (the value itself, list items, object keys and values). */
function someText(value: unknown, test: (text: string) => boolean, seen = new Set<object>()): boolean {
  if (typeof value === 'string') return test(value);
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  seen.add(value);
  if (Array.isArray(value)) return value.some((item) => someText(item, test, seen));
  return Object.entries(value).some(([key, item]) => test(key) || someText(item, test, seen));
}
