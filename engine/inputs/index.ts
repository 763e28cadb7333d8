/**
 * Workflow inputs and organisation variables: checking given values against their
 * declarations (type, enum, format, pattern, range), coercing command-line strings, filling
 * defaults, reading inputs files.
 */
export { resolveInputs, resolveVars, type InputOrigin, type ResolveInputsOptions, type ResolvedValues } from './resolve-inputs.js';
export { readInputsFile, type InputsFile } from './read-inputs-file.js';
export { coerceString, type Coerced } from './coerce.js';
export { checkValue, hasDeclaredType, sameValue, type ValueIssue } from './check-value.js';
export { matchesFormat } from './formats.js';
export { compilePattern, matchesPattern, type CompiledPattern } from './pattern.js';
