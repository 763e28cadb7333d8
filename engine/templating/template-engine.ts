import type { RunData } from '../language/types.js';
import { analyzeTemplate, type TemplateAnalysis } from './analyze-template.js';
import { evaluateSingle } from './evaluate-single.js';
import { createHandlebarsEnvironment, type HandlebarsEnvironment } from './handlebars-environment.js';
import type { HelperCall } from './helpers.js';
import { SecretTaint } from './secret-taint.js';
import { DeniedPropertyError, invalidTemplateError, toTemplateError } from './render-errors.js';
import { TemplateError } from './template-error.js';
import { isLiteral, literalValue, type LiteralNode } from './template-ast.js';
import { collectPrinted, unknownText, type KnownAfterRun } from '../plugin-api/known-after-run.js';

/** Per-render settings. */
export interface RenderOptions {
  /** Resolves the `secret` helper's names; without it every `{{secret …}}` fails clearly. */
  secret?: (name: string) => string | undefined;
  /** Where the template is, for error messages, e.g. `steps[3].with.message`. */
  where?: string;
}

/** Renders templates over run data. */
export interface TemplateEngine {
  /** Renders template text to text. */
  renderString(template: string, data: RunData, options?: RenderOptions): string;
  /**
   * Deep-walks arrays/objects (returns new ones, never mutates) and renders every string; a
   * string that is exactly one `{{expression}}` (surrounding white space allowed) keeps the
   * value's type (number, boolean, list, object, null).
   */
  renderValue(value: unknown, data: RunData, options?: RenderOptions): unknown;
}

/** How many distinct template texts an engine keeps compiled (templates come from workflow files). */
const CACHE_LIMIT = 5000;

type Prepared = { ok: true; analysis: TemplateAnalysis; compiled?: ReturnType<HandlebarsEnvironment['compile']> } | { ok: false; error: (where: string | undefined) => TemplateError };

/** Settings of a template engine. */
export interface TemplateEngineOptions {
  /**
   * Called with every text a render derives from a secret: the secret itself, each helper's
   * text over it (`{{upper (secret "X")}}`, `{{concat "Bearer " (secret "X")}}`, any depth of
   * sub-expression), and the whole text of a render that read a secret (see secret-taint.ts).
   * The runtime registers them with the run's redactor, so that no form of a secret is written.
   */
  onSecretText?: (text: string) => void;
}

/**
 * Creates a template engine with its own isolated Handlebars environment. Each distinct
 * template text is parsed, checked and compiled once per engine and cached.
 */
export function createTemplateEngine(options: TemplateEngineOptions = {}): TemplateEngine {
  return new HandlebarsTemplateEngine(options.onSecretText);
}

class HandlebarsTemplateEngine implements TemplateEngine {
  private readonly cache = new Map<string, Prepared>();
  /** The helper facts of the render in progress (renders are synchronous: one at a time). */
  private current: HelperCall = { secret: undefined };
  private readonly env = createHandlebarsEnvironment(() => this.current);

  constructor(private readonly onSecretText: ((text: string) => void) | undefined) {}

  renderString(template: string, data: RunData, options: RenderOptions = {}): string {
    return this.renderTemplateText(template, data, options).text;
  }

  /**
   * Renders template text, noting the values known only after the run (in a plan) that it
   * printed: their `(known after run: …)` stands in the text.
   */
  private renderTemplateText(template: string, data: RunData, options: RenderOptions): { text: string; printed: KnownAfterRun[] } {
    const where = options.where;
    if (typeof template !== 'string') throw new TemplateError(`${where === undefined ? '' : `${where}: `}only text can be a template, got ${template === null ? 'null' : typeof template}`, where === undefined ? {} : { where });
    // Without "{{" Handlebars would return the text unchanged: skip the work.
    if (!template.includes('{{')) return { text: template, printed: [] };
    const prepared = this.prepare(template);
    if (!prepared.ok) throw prepared.error(where);
    const literal = literalTemplateText(prepared.analysis);
    if (literal !== undefined) return { text: literal, printed: [] };
    prepared.compiled ??= this.env.compile(template);
    const compiled = prepared.compiled;
    return this.withCall(options, () => {
      let rendered: { text: string; denied: string[] };
      let printed: KnownAfterRun[];
      try {
        ({ result: rendered, printed } = collectPrinted(() => this.env.run(compiled, data)));
      } catch (error) {
        throw toTemplateError(error, prepared.analysis, data, where);
      }
      // A denied read printed by a mustache is a missing value, and strict mode must not let it
      // pass as empty text; a denied read in a helper argument is just absent (as in a single
      // expression), for the helper to refuse or, like `default`, to replace.
      const denied = rendered.denied.find((name) => prepared.analysis.paths.some((p) => p.role === 'value' && p.segments.includes(name)));
      if (denied !== undefined) throw toTemplateError(new DeniedPropertyError(denied), prepared.analysis, data, where);
      // A text made while a secret was in reach is the secret's (secret-taint.ts).
      if (this.current.taint?.touched === true) this.current.taint.addRendered(rendered.text);
      return { text: rendered.text, printed };
    });
  }

  renderValue(value: unknown, data: RunData, options: RenderOptions = {}): unknown {
    if (typeof value === 'string') return this.renderText(value, data, options);
    if (Array.isArray(value)) return value.map((item, i) => this.renderValue(item, data, { ...options, where: `${options.where ?? ''}[${i}]` }));
    if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
      // fromEntries defines own properties, so even a "__proto__" key stays plain data.
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.renderValue(item, data, { ...options, where: childWhere(options.where, key) })]));
    }
    return value;
  }

  private renderText(template: string, data: RunData, options: RenderOptions): unknown {
    if (!template.includes('{{')) return template;
    const prepared = this.prepare(template);
    if (!prepared.ok) throw prepared.error(options.where);
    const single = prepared.analysis.single;
    if (single === undefined) {
      // A text with parts known only after the run (in a plan) is itself known only after it.
      const { text, printed } = this.renderTemplateText(template, data, options);
      return printed.length === 0 ? text : unknownText(text, printed);
    }
    return this.withCall(options, () => {
      try {
        const { result, printed } = collectPrinted(() => evaluateSingle(prepared.analysis, single, data, this.current));
        return printed.length === 0 || typeof result !== 'string' ? result : unknownText(result, printed);
      } catch (error) {
        throw toTemplateError(error, prepared.analysis, data, options.where);
      }
    });
  }

  /** Parses and checks a template once; a template that can never render is remembered as such. */
  private prepare(template: string): Prepared {
    const cached = this.cache.get(template);
    if (cached !== undefined) return cached;
    const result = analyzeTemplate(template);
    let prepared: Prepared;
    if (!result.ok) {
      const { message, line, column } = result.error;
      prepared = { ok: false, error: (where) => invalidTemplateError(template, where, message, { line, column }) };
    } else {
      const [first] = result.analysis.problems;
      prepared = first === undefined
        ? { ok: true, analysis: result.analysis }
        : { ok: false, error: (where) => invalidTemplateError(template, where, first.message, { ...(first.line === undefined ? {} : { line: first.line }), ...(first.column === undefined ? {} : { column: first.column }) }) };
    }
    if (this.cache.size >= CACHE_LIMIT) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    this.cache.set(template, prepared);
    return prepared;
  }

  private withCall<T>(options: RenderOptions, render: () => T): T {
    const previous = this.current;
    // Every render that can read secrets has its own taint: what one render derived never marks
    // another's text (a render without a resolver cannot read a secret: nothing to follow).
    const follow = this.onSecretText !== undefined && options.secret !== undefined;
    this.current = { secret: options.secret, ...(follow ? { taint: new SecretTaint(this.onSecretText) } : {}) };
    try {
      return render();
    } finally {
      this.current = previous;
    }
  }
}

/**
 * The text of a template that is one literal (`{{true}}`, `  {{42}} `): Handlebars would look
 * the literal up as a property name, but as a whole value it means itself (as in renderValue).
 */
function literalTemplateText(analysis: TemplateAnalysis): string | undefined {
  const single = analysis.single;
  if (single === undefined || !isLiteral(single.path)) return undefined;
  return analysis.ast.body.map((statement) => {
    if (statement.type === 'ContentStatement') return statement.value;
    const value = statement === single ? literalValue(single.path as LiteralNode) : undefined;
    return value === null || value === undefined ? '' : String(value);
  }).join('');
}

/** `steps[3].with.message`, `output.users`, `with["odd key"]`. */
function childWhere(where: string | undefined, key: string): string {
  const part = /^[A-Za-z_][\w-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (where === undefined || where === '') return part;
  return part.startsWith('[') ? `${where}${part}` : `${where}.${part}`;
}
