import Handlebars from 'handlebars';
import { useIdflowBlockHelpers } from './block-helpers.js';
import { BLOCK_HELPERS, callHelper, HelperInputError, HELPERS, type HelperCall } from './helpers.js';
import type { HbsLocation } from './template-ast.js';

/**
 * The one way idflow sets up Handlebars: an isolated environment per template engine (our
 * helpers never leak into the global instance), options that suit text that is not HTML, and
 * a logger that can never write to stdout (where the CLI prints JSON).
 */

/** A compiled template, as Handlebars returns it. */
export type CompiledTemplate = (context: unknown, options?: Handlebars.RuntimeOptions) => string;

/** An isolated Handlebars environment with idflow's helpers. */
export interface HandlebarsEnvironment {
  /** Compiles template text (only ever text: an AST object would be compiled to code). */
  compile(text: string): CompiledTemplate;
  /**
   * Runs a compiled template. `denied` lists the properties Handlebars refused to read because
   * they are not own properties (e.g. `toString`, or `map` on a list): Handlebars renders them
   * as empty text, which the engine turns into the same "not defined" error a missing key gets.
   */
  run(compiled: CompiledTemplate, data: unknown): { text: string; denied: string[] };
}

/**
 * Compile options: no HTML escaping (our output is text, JSON, e-mail), strict paths, and only
 * the helpers declared here may be called. `log` and `lookup` are switched off: `log` writes
 * to the console, and `lookup` reads properties by computed name, around the static checks.
 */
const COMPILE_OPTIONS: CompileOptions = Object.freeze({
  noEscape: true,
  strict: true,
  knownHelpersOnly: true,
  knownHelpers: {
    ...Object.fromEntries([...HELPERS.keys(), ...BLOCK_HELPERS.keys()].map((name) => [name, true])),
    log: false,
    lookup: false,
  },
});

/**
 * Runtime options: none. Handlebars' default denies every property that is not an own
 * property and reports each denial through its logger; setting `allowProto…ByDefault: false`
 * explicitly would deny just the same but silently, and the denial could no longer be turned
 * into an error. Never set them to true.
 */
const RUNTIME_OPTIONS: Handlebars.RuntimeOptions = Object.freeze({});

/**
 * Creates an environment whose helpers read per-render facts (the secret resolver) through
 * `currentCall`, which the engine points at the render in progress: renders are synchronous,
 * so there is exactly one at a time.
 */
export function createHandlebarsEnvironment(currentCall: () => HelperCall): HandlebarsEnvironment {
  routeHandlebarsLogger();
  const hb = Handlebars.create();
  useTextCompiler(hb);
  hb.unregisterHelper('log');
  hb.unregisterHelper('lookup');
  useIdflowBlockHelpers(hb, currentCall);
  for (const spec of HELPERS.values()) {
    hb.registerHelper(spec.name, function helper(this: unknown, ...raw: unknown[]): unknown {
      const options = raw.pop() as { loc?: HbsLocation; fn?: unknown };
      try {
        if (typeof options.fn === 'function') throw new HelperInputError(spec.name, `"${spec.name}" is not a block helper`);
        return callHelper(spec, raw, currentCall());
      } catch (error) {
        if (error instanceof HelperInputError) error.loc ??= options.loc;
        throw error;
      }
    });
  }
  const resetDenials = (): void => (hb as unknown as { resetLoggedPropertyAccesses(): void }).resetLoggedPropertyAccesses();
  return {
    compile(text: string): CompiledTemplate {
      if (typeof text !== 'string') throw new TypeError('Only template text may be compiled');
      return hb.compile(text, COMPILE_OPTIONS) as CompiledTemplate;
    },
    run(compiled: CompiledTemplate, data: unknown): { text: string; denied: string[] } {
      const previous = deniedSink;
      const denied: string[] = [];
      deniedSink = denied;
      // Handlebars reports a denied property once per process; forget earlier reports so that
      // this render hears about its own.
      resetDenials();
      try {
        return { text: compiled(data, RUNTIME_OPTIONS), denied };
      } finally {
        deniedSink = previous;
      }
    },
  };
}

/** The parts of Handlebars' JavaScript compiler (a plain constructor function) that {@link useTextCompiler} changes. */
interface JavaScriptCompilerPrototype {
  appendToBuffer(source: unknown, location?: unknown, explicit?: boolean): unknown;
  compiler: unknown;
}

/**
 * Makes every value a template appends text before it is concatenated. With `noEscape`,
 * Handlebars 4.7 emits `return a + b` for `{{a}}{{b}}`, so two numbers are added (30 and 30
 * render as "60") and two `true`s render as "2"; escaping would have converted them to text
 * first. The documented extension point for generated code is a per-environment subclass of
 * its JavaScriptCompiler; this one wraps each appended piece in `"" + (…)`.
 */
function useTextCompiler(hb: typeof Handlebars): void {
  const env = hb as unknown as { JavaScriptCompiler: { prototype: JavaScriptCompilerPrototype } };
  const base = env.JavaScriptCompiler.prototype;
  // Handlebars' own constructor is empty; `new` on this one gives an object with the prototype below.
  const TextCompiler = function TextCompiler(): void {} as unknown as { prototype: JavaScriptCompilerPrototype };
  TextCompiler.prototype = Object.assign(Object.create(base) as JavaScriptCompilerPrototype, {
    // Inner programs (block bodies) are compiled by `new this.compiler()`.
    compiler: TextCompiler,
    appendToBuffer(this: JavaScriptCompilerPrototype, source: unknown, location?: unknown, explicit?: boolean): unknown {
      return base.appendToBuffer.call(this, ['"" + (', ...(Array.isArray(source) ? source : [source]), ')'], location, explicit);
    },
  });
  env.JavaScriptCompiler = TextCompiler;
}

let loggerRouted = false;
/** Where prototype-access denials go during a render (renders are synchronous: one at a time). */
let deniedSink: string[] | undefined;
const DENIED = /Access has been denied to resolve the property "([^"]*)"/;

/**
 * Handlebars logs through one process-wide logger, and its default writes `info`/`debug` with
 * `console.log`, i.e. to stdout, where the CLI prints JSON. Route it: prototype-access denials
 * during a render go to that render (which fails with a clear error); anything else goes to
 * stderr. Done once, however many engines are created.
 */
function routeHandlebarsLogger(): void {
  if (loggerRouted) return;
  loggerRouted = true;
  const logger = Handlebars.logger as unknown as { log: (level: unknown, ...message: unknown[]) => void };
  logger.log = (_level: unknown, ...message: unknown[]): void => {
    const text = message.map((m) => String(m)).join(' ');
    const denied = DENIED.exec(text);
    if (denied !== null && deniedSink !== undefined) {
      deniedSink.push(denied[1] ?? '');
      return;
    }
    process.stderr.write(`idflow (handlebars): ${text}\n`);
  };
}
