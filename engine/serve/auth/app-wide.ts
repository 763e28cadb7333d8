import type { FastifyPluginAsync, FastifyPluginOptions } from 'fastify';

/**
 * Marks a plugin so that Fastify does not encapsulate it: its hooks and decorators apply to every
 * route of the app, not only to routes it registers itself. This is what the `fastify-plugin`
 * package does (Fastify's documented `skip-override` symbol); two symbols do not warrant a dependency.
 */
export function appWide<Options extends FastifyPluginOptions>(plugin: FastifyPluginAsync<Options>, name: string): FastifyPluginAsync<Options> {
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: name });
  return plugin;
}
