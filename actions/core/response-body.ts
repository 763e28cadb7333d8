import { PermanentError } from '../../engine/errors/action-errors.js';
import { bodySnippet } from './http-errors.js';

/** `application/json`, `application/problem+json`, `application/vnd.api+json; charset=utf-8`, … */
const JSON_CONTENT_TYPE = /^\s*application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** True when the content type says the body is JSON. */
function isJsonContentType(contentType: string | null): boolean {
  return contentType !== null && JSON_CONTENT_TYPE.test(contentType);
}

/**
 * A response body as data: parsed JSON when the content type says JSON, otherwise the text;
 * `null` for an empty body.
 *
 * @param options.lenient - when the body claims JSON but is not: return the text instead of
 *   failing (for webhooks, whose answer nobody reads); otherwise a {@link PermanentError}.
 * @param options.maxTextLength - cut text bodies to this many characters.
 * @param options.what - names the request in the error.
 */
export function parseResponseBody(
  reply: { headers: Headers; text: string },
  options: { lenient?: boolean; maxTextLength?: number; what?: string } = {},
): unknown {
  if (reply.text === '') return null;
  const cut = (text: string) => (options.maxTextLength !== undefined && text.length > options.maxTextLength ? `${text.slice(0, options.maxTextLength)}…` : text);
  if (!isJsonContentType(reply.headers.get('content-type'))) return cut(reply.text);
  try {
    return JSON.parse(reply.text) as unknown;
  } catch (error) {
    if (options.lenient === true) return cut(reply.text);
    throw new PermanentError(`${options.what ?? 'The request'} answered with content type ${reply.headers.get('content-type') ?? ''} but the body is not valid JSON: ${bodySnippet(reply.text)}`, {
      code: 'HTTP_INVALID_JSON',
      cause: error,
    });
  }
}
