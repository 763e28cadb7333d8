/**
 * The `idflow` package entry: what plugin authors import. A plugin needs none of it to work
 * (a plain object with `id`, `description`, `params` and `run` is an action), but
 * `defineAction` types `params` in `run`, the typed errors steer retries,
 * `createMockActionContext` makes a plugin's own tests short, and `loadPluginActions` loads a
 * plugin exactly as idflow would.
 *
 * This module is imported by plugins at load time, so it must stay light: nothing here may
 * import ajv, winston or the engine at module level.
 *
 * @packageDocumentation
 */
export * from './plugin-api/index.js';
export {
  IdflowError,
  TransientError,
  PermanentError,
  NotFoundError,
  ConflictError,
  AmbiguousError,
  TimeoutError,
  CancelledError,
  PluginError,
  classifyError,
  type SerializedError,
} from './errors/index.js';
export { loadPluginActions } from './plugins/load-plugin-actions.js';
