import type { ValidateFunction } from '../schema/ajv.js';
import { compileTrusted, createAjv } from '../schema/ajv.js';
import type { Issue } from './issue.js';
import { readPackageSchema } from './package-files.js';
import { schemaIssues, type SchemaIssueOptions } from './schema-issues.js';

const compiled = new Map<string, ValidateFunction>();

/**
 * The compiled validator of one of the package's schemas (`schemas/<name>`), compiled once per
 * process: recompiling per file or per step would cost time and leak memory.
 */
export function packageSchemaValidator(name: string): ValidateFunction {
  const existing = compiled.get(name);
  if (existing) return existing;
  const ajv = createAjv();
  // `x-expected` words what a node accepts for error messages (see schema-issues.ts).
  ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
  // The package's own schemas are checked against the meta-schema by their tests, not at every start.
  const validate = compileTrusted(ajv, readPackageSchema(name));
  compiled.set(name, validate);
  return validate;
}

/** Validates data against one of the package's schemas and words every problem as an issue. */
export function checkAgainstPackageSchema(name: string, data: unknown, options: SchemaIssueOptions): Issue[] {
  const validate = packageSchemaValidator(name);
  if (validate(data)) return [];
  return schemaIssues(validate.errors, data, options);
}
