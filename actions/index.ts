import { fileURLToPath } from 'node:url';
import type { BuiltinManifestLocation } from '../engine/plugins/builtin-manifest.js';

/**
 * The plugin packs that ship with idflow. They are loaded through the same plugin loader and
 * registry as an admin's own plugins (see engine/plugins/load-plugins.ts); this list is only
 * where they are found.
 */
export interface BuiltinPlugin {
  /** Shown as the source of the pack's actions, e.g. `builtin:core`. */
  source: string;
  /** Imports the module; its default export is the pack. */
  load: () => Promise<{ default: unknown }>;
}

export const builtinPlugins: readonly BuiltinPlugin[] = [
  { source: 'builtin:core', load: () => import('./core/index.js') },
  { source: 'builtin:jumpcloud', load: () => import('./jumpcloud/index.js') },
];

/**
 * Where `npm run build` writes what these packs describe (their actions' descriptions and
 * schemas), so that `validate`, `actions` and `schema` register them without importing their
 * code: see engine/plugins/builtin-manifest.ts. Beside this module in `dist/`; the sources
 * have none, so tests run from them import the packs.
 */
export const builtinManifest: BuiltinManifestLocation = {
  file: fileURLToPath(new URL('./builtin-manifest.json', import.meta.url)),
  listModule: fileURLToPath(import.meta.url),
  // From dist/actions/index.js: actions/index.ts of the working copy, when there is one.
  listSource: fileURLToPath(new URL('../../actions/index.ts', import.meta.url)),
};
