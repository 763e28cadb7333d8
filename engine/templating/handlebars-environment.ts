import Handlebars from 'handlebars';
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
}

/**
 * Compile options: no HTML escaping (our output is text, JSON, e-mail), strict paths, and only
 * the helpers declared here may be called. `log` and `lookup` are switched off: `log` writes
 * to the console, and `lookup` reads properties by computed name, around the static checks.
 */
export const COMPILE_OPTIONS: CompileOptions = Object.freeze({
  noEscape: true,
  strict: true,
  knownHelpersOnly: true,
  knownHelpers: {
    ...Object.fromEntries([...HELPERS.keys(), ...BLOCK_HELPERS.keys()].map((name) => [name, true])),
    log: false,
    lookup: false,
  },
});

/** Prototype access stays denied (these are Handlebars' defaults, stated so they cannot drift). */
export const RUNTIME_OPTIONS: Handlebars.RuntimeOptions = Object.freeze({
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
});

/**
 * Creates an environment whose helpers read per-render facts (the secret resolver) through
 * `currentCall`, which the engine points at the render in progress: renders are synchronous,
 * so there is exactly one at a time.
 */
export function createHandlebarsEnvironment(currentCall: () => HelperCall): HandlebarsEnvironment {
  routeHandlebarsLogger();
  const hb = Handlebars.create();
  hb.unregisterHelper('log');
  hb.unregisterHelper('lookup');
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
  return {
    compile(text: string): CompiledTemplate {
      if (typeof text !== 'string') throw new TypeError('Only template text may be compiled');
      return hb.compile(text, COMPILE_OPTIONS) as CompiledTemplate;
    },
  };
}

let loggerRouted = false;

/**
 * Handlebars logs through one process-wide logger (its prototype-access warnings, for one),
 * and its default writes `info`/`debug` with `console.log`, i.e. to stdout. Send everything to
 * stderr instead. Done once, however many engines are created.
 */
function routeHandlebarsLogger(): void {
  if (loggerRouted) return;
  loggerRouted = true;
  const logger = Handlebars.logger as unknown as { log: (level: unknown, ...message: unknown[]) => void };
  logger.log = (_level: unknown, ...message: unknown[]): void => {
    process.stderr.write(`idflow (handlebars): ${message.map((m) => String(m)).join(' ')}\n`);
  };
}
