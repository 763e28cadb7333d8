import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError, unauthorized, unauthorizedBecause } from './api-error.js';
import { isObjectId } from '../object-id.js';

/**
 * The credential checks of every request.
 *
 * @remarks
 * - `x-api-key` is the only documented security scheme: missing or wrong is 401
 *   `{"message":"Unauthorized"}`. (Service-account Bearer tokens are not emulated.)
 * - `x-org-id` follows the spec's "Multi-Tenant Portal Headers" list: a malformed id is 400
 *   "Malformed ID."; when the emulator runs as a multi-tenant admin (`orgId` option) a missing
 *   header is 401 "ID not included for multi-tenant admin."; an id that is not the emulated
 *   organisation is 404 "Organization ID Not Found.". A single-tenant emulator does not require
 *   the header but checks it the same way when sent. Directory Insights lets MSPs send several
 *   `x-org-id` headers; the request passes when one of them is the organisation.
 */
export function checkAccess(headers: IncomingHttpHeaders, expected: { apiKey: string; orgId: string; requireOrgId: boolean }): void {
  const key = headers['x-api-key'];
  if (typeof key !== 'string' || !sameSecret(key, expected.apiKey)) throw unauthorized();
  const raw = headers['x-org-id'];
  const orgIds = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (orgIds.length === 0) {
    if (expected.requireOrgId) throw unauthorizedBecause('ID not included for multi-tenant admin.');
    return;
  }
  const malformed = orgIds.find((id) => !isObjectId(id));
  if (malformed !== undefined) throw new ApiError(400, 'Malformed ID.');
  if (!orgIds.includes(expected.orgId)) throw new ApiError(404, 'Organization ID Not Found.');
}

/** Compares secrets in constant time (the key must not leak through response timing). */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
