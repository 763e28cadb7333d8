import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { classifyError } from '../../errors/classify.js';
import type { ServeLogger } from '../serve-logger.js';
import { closeAfterAnswer, sendError } from './error-reply.js';
import { pathOf } from './serve-guards.js';
import { sharedPlugin } from './shared-plugin.js';

/** Options of {@link serveErrors}. */
export interface ServeErrorsOptions {
  logger: ServeLogger;
  /** The largest body, for the 413's message (`serve.max_body_bytes`). */
  maxBodyBytes: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The error code of a 400 for a request that does not match the route's schema (e.g.
     * `INVALID_FILTER` for a query string); default `INVALID_REQUEST`.
     */
    invalidCode?: string;
    /** What each parameter of the route's schema must be, in words, for the 400's message. */
    parameterHints?: Readonly<Record<string, string>>;
  }
}

/**
 * Serve's answers for everything that goes wrong, in its shape `{ "error": { "code", "message" } }`
 * with the status that fits: 413 `BODY_TOO_LARGE` (and the connection closed: the rest of the
 * body is not read), 400 `INVALID_JSON` / `JSON_TOO_DEEP`, 400 with the route's `invalidCode`
 * naming the parameter that does not fit its schema, 415 for a content type no parser reads, any
 * other client error with its status (and its own code, e.g. `JSON_TOO_DEEP`), and anything
 * else 500 `INTERNAL`, logged.
 */
export const serveErrors = sharedPlugin(async (app: FastifyInstance, options: ServeErrorsOptions): Promise<void> => {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      closeAfterAnswer(reply);
      return sendError(reply, 413, 'BODY_TOO_LARGE', `the body is larger than ${options.maxBodyBytes} bytes (serve.max_body_bytes)`);
    }
    if (error.validation !== undefined) {
      const config = request.routeOptions.config;
      return sendError(reply, 400, config.invalidCode ?? 'INVALID_REQUEST', validationMessage(error, request, config.parameterHints ?? {}));
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || error.code === 'FST_ERR_CTP_INVALID_TYPE') {
      return sendError(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', `the Content-Type "${String(request.headers['content-type'])}" is not one this route reads${error.code === 'FST_ERR_CTP_INVALID_TYPE' ? '' : ' (not a valid media type)'}`);
    }
    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (error instanceof SyntaxError && error.statusCode === 400)) {
      return sendError(reply, 400, 'INVALID_JSON', `the body is not JSON: ${error.message}`);
    }
    const status = error.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendError(reply, status, typeof error.code === 'string' && !error.code.startsWith('FST_') ? error.code : 'BAD_REQUEST', error.message);
    }
    const classified = classifyError(error);
    options.logger.error(`${request.method} ${pathOf(request.url)} failed: ${classified.message}`);
    return sendError(reply, 500, 'INTERNAL', `the request could not be handled: ${classified.message}`);
  });
});

/** "limit: must be a whole number from 1 to 1000 (got "abc")", from the first schema error. */
function validationMessage(error: FastifyError, request: FastifyRequest, hints: Readonly<Record<string, string>>): string {
  const first = error.validation?.[0];
  const context = error.validationContext ?? 'request';
  const missing = first?.keyword === 'required' ? (first.params as { missingProperty?: string }).missingProperty : undefined;
  const name = missing ?? first?.instancePath.split('/').filter(Boolean)[0];
  if (name === undefined) return `the ${context} ${first?.message ?? 'is not valid'}`;
  // The query as sent: the validator may have coerced what it could before it gave up.
  const source = context === 'querystring' ? Object.fromEntries(new URLSearchParams(request.url.split('?')[1] ?? '')) : context === 'params' ? request.params : context === 'body' ? request.body : request.headers;
  const given = (source as Record<string, unknown> | undefined)?.[name];
  const shown = given === undefined ? '' : ` (got ${JSON.stringify(given)})`;
  const where = context === 'querystring' ? 'the query parameter' : context === 'params' ? 'the path segment' : context === 'body' ? 'the body\'s' : 'the header';
  if (missing !== undefined) return `${where} "${name}" is missing`;
  return `${where} "${name}" ${hints[name] ?? first?.message ?? 'is not valid'}${shown}`;
}
