import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { builtinPlugins } from '../../actions/index.js';
import { packageRoot, readPackageSchema } from '../loader/package-files.js';
import { loadPlugins } from '../plugins/load-plugins.js';
import { ActionRegistry } from '../registry/action-registry.js';
import { EDITOR_SCHEMA_FILE } from './editor-schema.js';
import type { ShippedSchema } from './generate-validators.js';

/**
 * The package's schemas that idflow compiles at run time, as paths under `schemas/`: the
 * top-level ones and those in `schemas/language/`, except the editor schema (written by
 * `idflow schema` for editors; idflow itself never compiles it).
 */
export function runtimePackageSchemaNames(): string[] {
  const root = join(packageRoot(), 'schemas');
  const top = readdirSync(root).filter((name) => name.endsWith('.json') && name !== EDITOR_SCHEMA_FILE);
  const language = readdirSync(join(root, 'language')).filter((name) => name.endsWith('.json')).map((name) => `language/${name}`);
  return [...top, ...language].sort();
}

/**
 * Every schema that ships with idflow and is compiled at run time: the package's own schemas
 * ({@link runtimePackageSchemaNames}, checked with the `package` profile) and each built-in action's params and
 * output schemas, as the registry holds them after loading the built-in packs the way every
 * command does (so the very objects the registry compiles).
 *
 * @throws Error when a built-in pack does not load (the build must not go on without it).
 */
export async function shippedSchemas(): Promise<ShippedSchema[]> {
  const schemas: ShippedSchema[] = runtimePackageSchemaNames().map((name) => ({ name: `schemas/${name}`, profile: 'package' as const, schema: readPackageSchema(name) }));
  const registry = new ActionRegistry();
  const problems = await loadPlugins(registry, builtinPlugins.map((plugin) => ({ origin: 'builtin' as const, source: plugin.source, load: plugin.load })));
  if (problems.length > 0) throw new Error(`a built-in pack does not load: ${problems.map((problem) => problem.message).join('; ')}`);
  for (const { definition } of registry.list()) {
    schemas.push({ name: `${definition.id} (params)`, profile: 'params', schema: definition.params });
    if (definition.output !== undefined) schemas.push({ name: `${definition.id} (output)`, profile: 'output', schema: definition.output });
  }
  return schemas;
}
