import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from './ajv.js';
import { profileFingerprint, type SchemaProfile } from './schema-profiles.js';

const require = createRequire(import.meta.url);

/**
 * Where the build writes the validators of the schemas that ship with idflow (`npm run build`
 * runs build-validators.js after tsc): `compiled/` beside this module, so `dist/engine/schema/compiled/`.
 * The TypeScript sources have no such folder, so tests run from them compile at run time.
 */
export const PRECOMPILED_DIR = fileURLToPath(new URL('./compiled/', import.meta.url));

let ajvVersion: string | undefined;

/**
 * The key a schema's precompiled validator is stored under: a hash of the ajv version, the
 * profile's configuration and the schema itself. A validator is only ever used for exactly
 * the schema, configuration and ajv it was generated from; anything else (a schema edited
 * after the build, a tsc-only rebuild, another ajv) finds no file and compiles at run time.
 */
export function precompiledKey(profile: SchemaProfile, schema: object): string {
  ajvVersion ??= (require('ajv/package.json') as { version: string }).version;
  return createHash('sha256').update(`ajv ${ajvVersion}\n${profileFingerprint(profile)}\n${JSON.stringify(schema)}`).digest('hex').slice(0, 40);
}

/** The file of a key's validator in `dir`. */
export function precompiledFile(dir: string, key: string): string {
  return join(dir, `${key}.cjs`);
}

/**
 * The validator generated at build time for this schema and profile, or undefined when there is
 * none (see {@link precompiledKey}): the caller then compiles the schema itself. It behaves as
 * the function ajv compiles at run time would, errors included (checked by the tests).
 *
 * @param dir - where the validators are; default {@link PRECOMPILED_DIR}.
 */
export function loadPrecompiled(profile: SchemaProfile, schema: object, dir: string = PRECOMPILED_DIR): ValidateFunction | undefined {
  const file = precompiledFile(dir, precompiledKey(profile, schema));
  if (!existsSync(file)) return undefined;
  try {
    return require(file) as ValidateFunction;
  } catch (error) {
    // Removed since (a build replacing an outdated one): compile instead. Anything else is a bug.
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && !existsSync(file)) return undefined;
    throw error;
  }
}
