import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its callable is the `default` property (ajv-formats#123).
const addFormats = addFormatsModule.default;

/**
 * Creates the one ajv configuration idflow uses everywhere: all errors at once (so every
 * problem is reported), verbose errors (so messages can list the expected properties), and
 * formats. Callers compile each schema once and keep the function (compiling per call leaks).
 *
 * @param options.useDefaults - fill `default`s into the validated data (mutates it).
 */
export function createAjv(options: { useDefaults?: boolean } = {}): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    strictRequired: false,
    strictTypes: false,
    allowUnionTypes: true,
    useDefaults: options.useDefaults ?? false,
    // idflow's own keywords inside action schemas.
    keywords: ['x-secret', 'x-example'],
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

export type { ErrorObject, ValidateFunction };
