import { PermanentError } from '../../../engine/errors/action-errors.js';
import type { JumpCloudRequest } from './transport.js';

// POSTs that only read: the user search and the Directory Insights event query.
const READING_POSTS = [/^\/api\/search\//, /^\/insights\/directory\/v1\/events(?:[/?]|$)/];

/**
 * True when the request cannot change anything in JumpCloud: a GET, or a POST to a search
 * endpoint (`/api/search/*`, the Directory Insights event query), which JumpCloud uses to read.
 */
export function isReadingRequest(request: Pick<JumpCloudRequest, 'method' | 'path'>): boolean {
  if (request.method === 'GET') return true;
  return request.method === 'POST' && READING_POSTS.some((route) => route.test(request.path));
}

/**
 * Refuses a request that could change something, for a client in read-only mode (what an
 * action's `plan()` gets): a plan must never mutate the organisation, even by mistake.
 * @throws PermanentError (`JUMPCLOUD_READ_ONLY`) naming the request.
 */
export function assertReading(request: Pick<JumpCloudRequest, 'method' | 'path' | 'what'>): void {
  if (isReadingRequest(request)) return;
  throw new PermanentError(
    `This JumpCloud client is read-only (a plan makes no change): refused ${request.method} ${request.path}${request.what === undefined ? '' : ` (${request.what})`}`,
    { code: 'JUMPCLOUD_READ_ONLY', details: { request: `${request.method} ${request.path}` } },
  );
}
