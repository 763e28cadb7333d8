import type { FastifyInstance } from 'fastify';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../json-depth.js';
import { sharedPlugin } from './shared-plugin.js';

/**
 * Reads `application/json` bodies of every route (the webhooks read their raw bytes instead):
 * the nesting depth is checked before anything parses the text (400 `JSON_TOO_DEEP`: a recursive
 * walker would otherwise run out of stack), then Fastify's own parser parses it, refusing
 * `__proto__` and `constructor.prototype` keys (400 `INVALID_JSON`) so that no body can reach
 * an object's prototype.
 */
export const jsonBody = sharedPlugin(async (app: FastifyInstance): Promise<void> => {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (exceedsJsonDepth(body as string)) {
      done(Object.assign(new Error(`the body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep; a request body is at most ${MAX_JSON_DEPTH} levels`), { statusCode: 400, code: 'JSON_TOO_DEEP' }), undefined);
      return;
    }
    parse(request, body as string, done);
  });
});
