import type { FastifyInstance } from 'fastify';

/** A Fastify plugin function, as every piece of serve's HTTP surface is written. */
export type ServePlugin<Options> = (app: FastifyInstance, options: Options) => Promise<void>;

/**
 * Marks a plugin as one whose hooks and decorators belong to the instance it is registered on,
 * not to a child context of its own (Fastify's documented `skip-override` property, what the
 * `fastify-plugin` package sets; idflow needs nothing else from that package). Serve's guards
 * and the sign-in hooks must run for every route, including the ones other plugins add.
 */
export function sharedPlugin<Options>(plugin: ServePlugin<Options>): ServePlugin<Options> {
  Object.defineProperty(plugin, Symbol.for('skip-override'), { value: true });
  return plugin;
}
