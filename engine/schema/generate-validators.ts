import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from './ajv.js';
import { precompiledFile, precompiledKey } from './precompiled-validators.js';
import { createProfileAjv, type SchemaProfile } from './schema-profiles.js';

const require = createRequire(import.meta.url);

/** A schema that ships with idflow, and the configuration it is compiled with. */
export interface ShippedSchema {
  /** What it is, for messages: `schemas/workflow.schema.json`, `log (params)`. */
  name: string;
  profile: SchemaProfile;
  schema: object;
}

/** One validator written by {@link generateValidators}. */
export interface GeneratedValidator {
  /** The names of the schemas it validates (identical schemas share one file). */
  names: string[];
  profile: SchemaProfile;
  key: string;
  file: string;
}

/** What {@link generateValidators} did. */
export interface GenerationResult {
  generated: GeneratedValidator[];
  /** Schemas that did not compile: none is written, so they are compiled (and reported) at run time. */
  failures: Array<{ name: string; message: string }>;
}

type StandaloneCode = (ajv: Ajv, validate: ValidateFunction) => string;

/**
 * Writes a standalone validator module for each schema into `outDir`, named by its
 * {@link precompiledKey}: the code ajv generates when it compiles the schema, as CommonJS
 * (`.cjs`), since ajv's standalone code `require`s its runtime helpers and formats even in its
 * ESM flavour (libraries guide, ajv pitfall 9). Each schema is compiled as at run time (one
 * ajv per profile), but checked against the meta-schema first, as a plugin's would be.
 *
 * Each file is written whole (a temporary file renamed into place) and the folder's other
 * validators are removed afterwards, so that a command started during a build finds either a
 * complete validator or none (and then compiles the schema itself).
 */
export function generateValidators(schemas: readonly ShippedSchema[], outDir: string): GenerationResult {
  mkdirSync(outDir, { recursive: true });
  const standaloneCode = (require('ajv/dist/standalone') as { default: StandaloneCode }).default;
  const ajvs = new Map<SchemaProfile, Ajv>();
  const byKey = new Map<string, GeneratedValidator>();
  const failures: GenerationResult['failures'] = [];
  for (const { name, profile, schema } of schemas) {
    const key = precompiledKey(profile, schema);
    const existing = byKey.get(key);
    if (existing) {
      existing.names.push(name);
      continue;
    }
    let ajv = ajvs.get(profile);
    if (ajv === undefined) {
      ajv = createProfileAjv(profile, { source: true });
      ajvs.set(profile, ajv);
    }
    let code: string;
    try {
      code = standaloneCode(ajv, ajv.compile(schema));
    } catch (error) {
      failures.push({ name, message: (error as Error).message });
      continue;
    }
    const file = precompiledFile(outDir, key);
    const temporary = `${file}.${process.pid}.tmp`;
    // The directive must stay the first statement: the comment goes before it.
    writeFileSync(temporary, `// Generated at build time by engine/schema/generate-validators.ts from ${name.replace(/[\r\n]/g, ' ')} (${profile}). Do not edit.\n${code}\n`);
    renameSync(temporary, file);
    byKey.set(key, { names: [name], profile, key, file });
  }
  // Validators of schemas that have changed since an earlier build are never used again (their
  // key matches no schema): remove them so the folder holds exactly this build's.
  const current = new Set([...byKey.values()].map((validator) => validator.file));
  for (const name of readdirSync(outDir)) {
    const file = join(outDir, name);
    if (name.endsWith('.cjs') && !current.has(file)) rmSync(file, { force: true });
  }
  return { generated: [...byKey.values()], failures };
}
