import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { markAuthenticated } from '../connection-gate.js';
import type { EventIntake } from '../event-intake.js';
import { isEventName } from '../event-name.js';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from '../json-depth.js';
import { EVENT_ID_HEADER, eventIdOf, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../signature.js';
import type { ServeSettings } from '../serve-settings.js';
import { sendError } from './error-reply.js';

/** What the webhook route needs. */
export interface WebhookDeps {
  settings: Pick<ServeSettings, 'sources' | 'signatureToleranceMs' | 'maxBodyBytes'>;
  intake: EventIntake;
  now(): Date;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** False for routes authenticated otherwise (webhooks: their signature): an `Authorization` header is not looked at. */
    bearer?: boolean;
  }
}

/**
 * `POST /events/{event-name}`: an event from a configured source.
 *
 * In order: the source (the name's first segment) must be configured under `serve.sources`
 * (else 404, answered before the body is read: there is no secret to check it with, and the
 * connection is closed); the body may not pass the size limit (413, the connection closed) nor
 * nest deeper than {@link MAX_JSON_DEPTH} (400 `JSON_TOO_DEEP`); the request must carry a
 * timestamp within the tolerance and a valid HMAC-SHA256 signature of the timestamp, the event
 * name, the event id and the raw body bytes (see `signature.ts`) with the source's secret (else
 * 401); the body must be a JSON object (else 400) and the event must have an id
 * (`X-Idflow-Event-Id`, else the body's `id`; else 400). An id accepted before is acknowledged
 * with 200 and `duplicate: true` and starts nothing; a new event is answered 202 with the runs it
 * started, queued or skipped.
 *
 * The body is read as raw bytes whatever its content type (this context has no other parser),
 * since the signature covers the bytes exactly as sent.
 */
export async function webhookRoutes(app: FastifyInstance, deps: WebhookDeps): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.post<{ Params: { name: string } }>('/events/:name', {
    bodyLimit: deps.settings.maxBodyBytes,
    config: { bearer: false },
    onRequest: async (request, reply) => {
      const { name } = request.params;
      if (!isEventName(name)) return sendError(reply, 404, 'UNKNOWN_EVENT', `"${name}" is not an event name (dot-separated words like hr.employee.terminated)`);
      const source = name.split('.')[0] as string;
      if (!deps.settings.sources.has(source)) {
        return sendError(reply, 404, 'UNKNOWN_SOURCE', `no event source "${source}" is configured (serve.sources.${source}.secret in the config); events are named <source>.<...>`);
      }
      return undefined;
    },
  }, async (request, reply) => {
    const { name } = request.params;
    const source = name.split('.')[0] as string;
    const configured = deps.settings.sources.get(source) as { secret: string };
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    // Like the size, the depth is checked before anything walks the body (the parser included).
    if (exceedsJsonDepth(body)) return sendError(reply, 400, 'JSON_TOO_DEEP', `the body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep; an event is at most ${MAX_JSON_DEPTH} levels`);
    let payload: unknown;
    let parseError: Error | undefined;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch (error) {
      parseError = error as Error;
    }
    // The id the signature must cover is the one deduplication will use, so it is found first.
    const given = eventIdOf(header(request.headers, EVENT_ID_HEADER), payload);
    const check = verifySignature(configured.secret, { signature: header(request.headers, SIGNATURE_HEADER), timestamp: header(request.headers, TIMESTAMP_HEADER) }, { event: name, id: given ?? '', body }, deps.now().getTime(), deps.settings.signatureToleranceMs);
    if (!check.ok) return sendError(reply, 401, check.reason === 'stale-timestamp' ? 'STALE_TIMESTAMP' : 'BAD_SIGNATURE', check.message, { 'www-authenticate': 'IdflowSignature' });
    markAuthenticated(request.raw);
    if (parseError !== undefined) return sendError(reply, 400, 'INVALID_JSON', `the body is not JSON: ${parseError.message}`);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return sendError(reply, 400, 'INVALID_EVENT', 'the body must be a JSON object (the event)');
    if (given === undefined || given === '') return sendError(reply, 400, 'MISSING_EVENT_ID', 'the event has no id: send it as the X-Idflow-Event-Id header or as "id" in the body (each id is accepted once)');
    if (given.length > 200 || /[\u0000-\u001f\u007f]/.test(given)) return sendError(reply, 400, 'INVALID_EVENT_ID', 'the event id must be at most 200 printable characters');
    const response = await deps.intake.accept({ name, id: given, source, payload: payload as Record<string, unknown> }, 'webhook');
    return reply.code(response.duplicate ? 200 : 202).send(response);
  });
}

/** One header's value (the first, when sent several times). */
function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
