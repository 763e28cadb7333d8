/**
 * The build step after tsc (`npm run build`): writes the standalone validators of every schema
 * that ships with idflow into `dist/engine/schema/compiled/`, so that commands load them
 * instead of loading ajv and compiling the schemas at every start (see precompiled-validators.ts),
 * and the manifest of the built-in packs beside their list, so that commands which only describe
 * actions do not import them (see plugins/builtin-manifest.ts).
 * Exits 1 when a schema does not compile (naming it); the others are still written.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { builtinManifest, builtinPlugins } from '../../actions/index.js';
import { buildManifest } from '../plugins/builtin-manifest.js';
import { generateValidators } from './generate-validators.js';
import { PRECOMPILED_DIR } from './precompiled-validators.js';
import { shippedSchemas } from './shipped-schemas.js';

const result = generateValidators(await shippedSchemas(), PRECOMPILED_DIR);
const schemas = result.generated.reduce((count, validator) => count + validator.names.length, 0);
process.stdout.write(`build-validators: ${result.generated.length} validators for ${schemas} schemas in ${relative(process.cwd(), PRECOMPILED_DIR) || '.'}\n`);
for (const failure of result.failures) process.stderr.write(`build-validators: ${failure.name} does not compile: ${failure.message}\n`);
if (result.failures.length > 0) process.exitCode = 1;

const packs = await Promise.all(builtinPlugins.map(async ({ source, load }) => ({ source, exported: (await load()).default })));
const manifest = buildManifest(packs);
// Written whole and renamed into place (a command started during the build reads the old one
// or this one), readable by everyone like the rest of the package (not a private file).
const temporary = `${builtinManifest.file}.${process.pid}.tmp`;
writeFileSync(temporary, `${JSON.stringify(manifest)}\n`);
renameSync(temporary, builtinManifest.file);
const actions = Object.values(manifest.packs).reduce((count, pack) => count + pack.actions.length, 0);
process.stdout.write(`build-validators: the manifest of ${packs.length} built-in packs (${actions} actions) in ${relative(process.cwd(), builtinManifest.file)}\n`);
