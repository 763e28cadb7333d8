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

export type { ErrorObject, ValidateFunction };
