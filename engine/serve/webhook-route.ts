import type { IncomingMessage } from 'node:http';
import { markAuthenticated } from './connection-gate.js';
import type { EventIntake } from './event-intake.js';
import { isEventName } from './event-name.js';
import { errorReply, header, readBody, type HttpReply } from './http-io.js';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-depth.js';
import { EVENT_ID_HEADER, eventIdOf, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from './signature.js';
import type { ServeSettings } from './serve-settings.js';

/** What the webhook route needs. */
export interface WebhookDeps {
  settings: Pick<ServeSettings, 'sources' | 'signatureToleranceMs' | 'maxBodyBytes'>;
  intake: EventIntake;
  now(): Date;
}

/**
 * `POST /events/{event-name}`: an event from a configured source.
 *
 * In order: the source (the name's first segment) must be configured under `serve.sources`
 * (else 404, and the body is not read: there is no secret to check it with); the body may not
 * pass the size limit (413) nor nest deeper than {@link MAX_JSON_DEPTH} (400 `JSON_TOO_DEEP`);
 * the request must carry a timestamp within the tolerance and a valid HMAC-SHA256 signature of
 * the timestamp, the event name, the event id and the raw body (see `signature.ts`) with the
 * source's secret (else 401); the body must be a JSON object (else 400) and the event must have
 * an id (`X-Idflow-Event-Id`, else the body's `id`; else 400). An id accepted before is
 * acknowledged with 200 and `duplicate: true` and starts nothing; a new event is answered 202
 * with the runs it started, queued or skipped.
 */
export async function handleEventRequest(request: IncomingMessage, name: string, deps: WebhookDeps): Promise<HttpReply> {
  if (!isEventName(name)) return errorReply(404, 'UNKNOWN_EVENT', `"${name}" is not an event name (dot-separated words like hr.employee.terminated)`);
  const source = name.split('.')[0] as string;
  const configured = deps.settings.sources.get(source);
  if (configured === undefined) {
    return errorReply(404, 'UNKNOWN_SOURCE', `no event source "${source}" is configured (serve.sources.${source}.secret in the config); events are named <source>.<...>`);
  }
  const read = await readBody(request, deps.settings.maxBodyBytes);
  if (read.kind === 'too-large') return { ...errorReply(413, 'BODY_TOO_LARGE', `the body is larger than ${deps.settings.maxBodyBytes} bytes (serve.max_body_bytes)`), close: true };
  // Like the size, the depth is checked before anything walks the body (the parser included).
  if (exceedsJsonDepth(read.body)) return errorReply(400, 'JSON_TOO_DEEP', `the body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep; an event is at most ${MAX_JSON_DEPTH} levels`);
  let payload: unknown;
  let parseError: Error | undefined;
  try {
    payload = JSON.parse(read.body.toString('utf8'));
  } catch (error) {
    parseError = error as Error;
  }
  // The id the signature must cover is the one deduplication will use, so it is found first.
  const idHeader = header(request, EVENT_ID_HEADER);
  const given = eventIdOf(idHeader, payload);
  const check = verifySignature(configured.secret, { signature: header(request, SIGNATURE_HEADER), timestamp: header(request, TIMESTAMP_HEADER) }, { event: name, id: given ?? '', body: read.body }, deps.now().getTime(), deps.settings.signatureToleranceMs);
  if (!check.ok) return errorReply(401, check.reason === 'stale-timestamp' ? 'STALE_TIMESTAMP' : 'BAD_SIGNATURE', check.message, { 'www-authenticate': 'IdflowSignature' });
  markAuthenticated(request);
  if (parseError !== undefined) return errorReply(400, 'INVALID_JSON', `the body is not JSON: ${parseError.message}`);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return errorReply(400, 'INVALID_EVENT', 'the body must be a JSON object (the event)');
  if (given === undefined || given === '') return errorReply(400, 'MISSING_EVENT_ID', 'the event has no id: send it as the X-Idflow-Event-Id header or as "id" in the body (each id is accepted once)');
  if (given.length > 200 || /[\u0000-\u001f\u007f]/.test(given)) return errorReply(400, 'INVALID_EVENT_ID', 'the event id must be at most 200 printable characters');
  const response = await deps.intake.accept({ name, id: given, source, payload: payload as Record<string, unknown> }, 'webhook');
  return { status: response.duplicate ? 200 : 202, body: response };
}
