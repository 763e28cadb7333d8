/**
 * The `idflow` package entry: what plugin authors import. A plugin needs none of it to work
 * (a plain object with `id`, `description`, `params` and `run` is an action), but
 * `defineAction` types `params` in `run`, the typed errors steer retries, and
 * `createMockActionContext` makes a plugin's own tests short.
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
  type SerializedError,
} from './errors/index.js';
