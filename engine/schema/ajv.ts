import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { FormatsPlugin } from 'ajv-formats';

// ajv and ajv-formats are CommonJS, loaded with require when the first ajv is created rather
// than imported with this module: a command that finds every schema it needs precompiled (see
// precompiled-validators.ts; `idflow validate` of a template using only built-in actions)
// never loads them, which saves the ~60 files of ajv at start-up.
const require = createRequire(import.meta.url);

let modules: { Ajv: typeof Ajv; addFormats: FormatsPlugin } | undefined;

function ajvModules(): { Ajv: typeof Ajv; addFormats: FormatsPlugin } {
  // ajv-formats' callable is its module's `default` property (ajv-formats#123).
  modules ??= { Ajv: (require('ajv') as { Ajv: typeof Ajv }).Ajv, addFormats: (require('ajv-formats') as { default: FormatsPlugin }).default };
  return modules;
}

/** How {@link createAjv} configures an instance. */
export interface AjvOptions {
  /** Fill `default`s into the validated data (mutates it). */
  useDefaults?: boolean;
  /**
   * Keep the source code of compiled functions, so that `ajv/dist/standalone` can write them
   * out as modules (build time only: see generate-validators.ts). Does not change what the
   * compiled functions do.
   */
  source?: boolean;
}

/**
 * The options every ajv of idflow's is created with (besides `useDefaults`), with ajv-formats'
 * full formats added. Part of a precompiled validator's key (see precompiled-validators.ts),
 * so that a change here can never leave a validator compiled the old way in use.
 */
export const AJV_OPTIONS = {
  allErrors: true,
  verbose: true,
  strict: true,
  strictRequired: false,
  strictTypes: false,
  allowUnionTypes: true,
  // idflow's own keywords inside action schemas.
  keywords: ['x-secret', 'x-example'],
} as const;

/**
 * Creates the one ajv configuration idflow uses everywhere: all errors at once (so every
 * problem is reported), verbose errors (so messages can list the expected properties), and
 * formats. Callers compile each schema once and keep the function (compiling per call leaks).
 */
export function createAjv(options: AjvOptions = {}): Ajv {
  const { Ajv: AjvClass, addFormats } = ajvModules();
  const ajv = new AjvClass({
    ...AJV_OPTIONS,
    keywords: [...AJV_OPTIONS.keywords],
    useDefaults: options.useDefaults ?? false,
    ...(options.source === true ? { code: { source: true } } : {}),
  });
  addFormats(ajv);
  return ajv;
}

/**
 * Compiles a schema that ships with idflow (the package's own schemas, the built-in packs'
 * action schemas) without first validating it against the JSON Schema meta-schema. That check
 * protects against a broken plugin schema; for ours the tests compile every one of them the
 * checked way. Skipping it matters at start-up: the first checked compile of each ajv instance
 * compiles the meta-schema itself, which cost `idflow validate` about a fifth of its start-up.
 * Strict mode (unknown keywords, formats) still applies.
 */
export function compileTrusted(ajv: Ajv, schema: object): ValidateFunction {
  const previous = ajv.opts.validateSchema;
  ajv.opts.validateSchema = false;
  try {
    return ajv.compile(schema);
  } finally {
    ajv.opts.validateSchema = previous;
  }
}

export type { Ajv, ErrorObject, ValidateFunction };
