import type { ErrorObject, ValidateFunction } from '../schema/ajv.js';
import { compileTrusted } from '../schema/ajv.js';
import { loadPrecompiled } from '../schema/precompiled-validators.js';
import { createProfileAjv } from '../schema/schema-profiles.js';
import type { Issue } from './issue.js';
import { KeyCorrections } from './misspelt-keys.js';
import { readPackageSchema } from './package-files.js';
import { schemaIssues, type SchemaIssueOptions } from './schema-issues.js';

const compiled = new Map<string, ValidateFunction>();

/**
 * How many times misspelt keys are corrected and the data checked again: each round reaches
 * one level deeper (a misspelt key inside the steps of a misspelt `stpes:`).
 */
const CORRECTION_ROUNDS = 8;

/**
 * The compiled validator of one of the package's schemas (`schemas/<name>`), compiled once per
 * process: recompiling per file or per step would cost time and leak memory. The validator the
 * build generated for exactly this schema is used when there is one (see
 * schema/precompiled-validators.ts): compiling the workflow schema was a tenth of
 * `idflow validate`'s start-up.
 */
export function packageSchemaValidator(name: string): ValidateFunction {
  const existing = compiled.get(name);
  if (existing) return existing;
  const schema = readPackageSchema(name);
  // `x-expected` (in the profile) words what a node accepts for error messages (see schema-issues.ts).
  // The package's own schemas are checked against the meta-schema by their tests, not at every start.
  const validate = loadPrecompiled('package', schema) ?? compileTrusted(createProfileAjv('package'), schema);
  compiled.set(name, validate);
  return validate;
}

/** The outcome of {@link checkAgainstPackageSchema}. */
export interface SchemaCheck {
  /** Every problem the schema finds, at its place in the file's data. */
  issues: Issue[];
  /**
   * The data as the checks that follow should read it: misspelt keys read as the keys they
   * most likely mean (see {@link KeyCorrections}), so that a typo in a key does not hide the
   * problems below it. The same object as the file's data when nothing was corrected.
   */
  data: unknown;
  /** Turns a pointer into {@link SchemaCheck.data} back into a pointer into the file's data. */
  toOriginal(pointer: string): string;
}

/**
 * Validates data against one of the package's schemas and words every problem as an issue,
 * including the problems under a misspelt key, which are checked as the key it most likely
 * means (and reported at the key as written).
 */
export function checkAgainstPackageSchema(name: string, data: unknown, options: SchemaIssueOptions): SchemaCheck {
  const validate = packageSchemaValidator(name);
  const corrections = new KeyCorrections(data);
  const errorsOf = (value: unknown): ErrorObject[] => (validate(value) ? [] : [...(validate.errors ?? [])]);
  const corrected: ErrorObject[] = [];
  let errors = errorsOf(data);
  for (let round = 0; round < CORRECTION_ROUNDS; round++) {
    const adopted = corrections.adopt(errors);
    if (adopted.length === 0) break;
    corrected.push(...adopted);
    errors = errorsOf(corrections.data);
  }
  // Back to the file's keys, so that messages and places name what is written there.
  const inFile = [...corrected, ...errors].map((error) => ({ ...error, instancePath: corrections.toOriginal(error.instancePath) }));
  return { issues: schemaIssues(inFile, data, options), data: corrections.data, toOriginal: (pointer) => corrections.toOriginal(pointer) };
}
