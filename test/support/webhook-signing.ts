import { exceedsJsonDepth } from '../../engine/serve/json-depth.js';
import { EVENT_ID_HEADER, eventIdOf, signEvent, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../engine/serve/signature.js';

/**
 * The headers a sender puts on `POST /events/{event}`: the timestamp, the signature made with
 * {@link signEvent} over the event name, the event id serve will deduplicate on (the
 * `X-Idflow-Event-Id` header when given, else the body's `id`) and the raw body, and that header.
 */
export function signedEventHeaders(secret: string, event: string, raw: string, options: { timestamp?: number | string; eventId?: string } = {}): Record<string, string> {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const id = eventIdOf(options.eventId, parsed(raw)) ?? '';
  return {
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: signEvent(secret, { timestamp, event, id, body: raw }),
    ...(options.eventId === undefined ? {} : { [EVENT_ID_HEADER]: options.eventId }),
  };
}

/** The body as serve reads it for its id (not parsed when too deep, as serve does not). */
function parsed(raw: string): unknown {
  if (exceedsJsonDepth(raw)) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
