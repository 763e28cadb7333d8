/**
 * The build step after tsc (`npm run build`): writes the standalone validators of every schema
 * that ships with idflow into `dist/engine/schema/compiled/`, so that commands load them
 * instead of loading ajv and compiling the schemas at every start (see precompiled-validators.ts).
 * Exits 1 when a schema does not compile (naming it); the others are still written.
 */
import { relative } from 'node:path';
import { generateValidators } from './generate-validators.js';
import { PRECOMPILED_DIR } from './precompiled-validators.js';
import { shippedSchemas } from './shipped-schemas.js';

const result = generateValidators(await shippedSchemas(), PRECOMPILED_DIR);
const schemas = result.generated.reduce((count, validator) => count + validator.names.length, 0);
process.stdout.write(`build-validators: ${result.generated.length} validators for ${schemas} schemas in ${relative(process.cwd(), PRECOMPILED_DIR) || '.'}\n`);
for (const failure of result.failures) process.stderr.write(`build-validators: ${failure.name} does not compile: ${failure.message}\n`);
if (result.failures.length > 0) process.exitCode = 1;
