import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, PermanentError, TransientError } from '../../../../engine/errors/index.js';
import { errorForResponse, parseErrorBody, saysAlreadyExists, type FailedResponse } from '../../../../actions/jumpcloud/client/error-mapping.js';

const base: Omit<FailedResponse, 'status'> = { method: 'GET', path: '/api/systemusers/5f0000000000000000000001', baseUrl: 'https://console.jumpcloud.com', body: { fieldViolations: [] } };

describe('parseErrorBody', () => {
  it('reads the Error shape', () => {
    expect(parseErrorBody('{"code":404,"message":"Not Found","status":"NOT_FOUND"}')).toEqual({ message: 'Not Found', status: 'NOT_FOUND', fieldViolations: [] });
  });

  it('reads the ErrorDetails shape with its field violations', () => {
    const body = JSON.stringify({
      code: 400,
      message: 'Password validation fail',
      status: 'INVALID_ARGUMENT',
      details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolationsList: [{ field: 'password', description: 'specialCharacter' }] }],
    });
    expect(parseErrorBody(body)).toEqual({ message: 'Password validation fail', status: 'INVALID_ARGUMENT', fieldViolations: [{ field: 'password', description: 'specialCharacter' }] });
  });

  it('reads a bare message, an error field, plain text and nothing', () => {
    expect(parseErrorBody('{"message":"Unauthorized"}').message).toBe('Unauthorized');
    expect(parseErrorBody('{"error":"boom"}').message).toBe('boom');
    expect(parseErrorBody('<html>Bad Gateway</html>').message).toBe('<html>Bad Gateway</html>');
    expect(parseErrorBody('')).toEqual({ fieldViolations: [] });
  });

  it('shortens a huge body', () => {
    expect(parseErrorBody('x'.repeat(5000)).message).toHaveLength(501);
  });
});

describe('errorForResponse', () => {
  it('401 names the API key, the host and the organisation hint', () => {
    const error = errorForResponse({ ...base, status: 401, body: parseErrorBody('{"message":"Unauthorized"}') });
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe('JUMPCLOUD_UNAUTHORIZED');
    expect(error.message).toBe(
      'JumpCloud rejected the API key (401 Unauthorized) for https://console.jumpcloud.com — check JUMPCLOUD_API_KEY or connections.jumpcloud.api_key; a multi-tenant (MSP) administrator must also name the organisation with JUMPCLOUD_ORG_ID or the jumpcloud_org_id variable; JumpCloud said: "Unauthorized"',
    );
  });

  it('403 with an organisation names the organisation and where it is set', () => {
    const error = errorForResponse({ ...base, status: 403, orgId: '5e0000000000000000000001' });
    expect(error.code).toBe('JUMPCLOUD_FORBIDDEN');
    expect(error.message).toContain('JumpCloud refused access to organisation 5e0000000000000000000001 (403 Forbidden) on GET /api/systemusers/5f0000000000000000000001 — check x-org-id / jumpcloud_org_id');
    expect(error.retryable).toBe(false);
  });

  it('403 without an organisation points at the administrator behind the key', () => {
    expect(errorForResponse({ ...base, status: 403 }).message).toContain('the administrator behind JUMPCLOUD_API_KEY lacks the permission');
  });

  it('400 carries the server message and the field violations', () => {
    const error = errorForResponse({
      ...base,
      method: 'PUT',
      status: 400,
      body: { message: 'Password validation fail', fieldViolations: [{ field: 'password', description: 'specialCharacter' }] },
    });
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toBe(
      'JumpCloud rejected PUT /api/systemusers/5f0000000000000000000001 as invalid (400 Bad Request); JumpCloud said: "Password validation fail"; field violations: password: specialCharacter',
    );
    expect(error.details).toMatchObject({ status: 400, fieldViolations: [{ field: 'password', description: 'specialCharacter' }] });
  });

  it('404 is a NotFoundError naming what was asked for', () => {
    const error = errorForResponse({ ...base, status: 404, what: 'user 5f0000000000000000000001' });
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe('User 5f0000000000000000000001 was not found in JumpCloud (404 Not Found on GET /api/systemusers/5f0000000000000000000001)');
  });

  it('404 about the organisation is a PermanentError naming x-org-id, not a missing object', () => {
    const error = errorForResponse({ ...base, status: 404, orgId: 'ffffffffffffffffffffffff', body: { message: 'Organization ID Not Found.', fieldViolations: [] } });
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe('JUMPCLOUD_UNKNOWN_ORG');
    expect(error.message).toBe(
      'JumpCloud does not know organisation ffffffffffffffffffffffff (404 Not Found on GET /api/systemusers/5f0000000000000000000001) — check x-org-id / jumpcloud_org_id (JUMPCLOUD_ORG_ID, connections.jumpcloud.org_id); JumpCloud said: "Organization ID Not Found."',
    );
  });

  it('409 is a ConflictError, coded JUMPCLOUD_ALREADY_EXISTS for "Already Exists"', () => {
    const exists = errorForResponse({ ...base, method: 'POST', status: 409, body: { message: 'Already Exists', fieldViolations: [] } });
    expect(exists).toBeInstanceOf(ConflictError);
    expect(exists.code).toBe('JUMPCLOUD_ALREADY_EXISTS');
    const other = errorForResponse({ ...base, method: 'DELETE', status: 409, body: { message: 'user is a manager', fieldViolations: [] } });
    expect(other.code).toBe('CONFLICT');
    expect(saysAlreadyExists({ message: 'association already exists', fieldViolations: [] })).toBe(true);
  });

  it('429 and 5xx are transient and carry Retry-After', () => {
    const limited = errorForResponse({ ...base, status: 429, retryAfterMs: 3000 });
    expect(limited).toBeInstanceOf(TransientError);
    expect((limited as TransientError).retryAfterMs).toBe(3000);
    expect(limited.message).toBe('JumpCloud is rate limiting requests (429 Too Many Requests) on GET /api/systemusers/5f0000000000000000000001; it asked to wait 3 s');
    for (const status of [500, 502, 503, 504]) expect(errorForResponse({ ...base, status }).retryable).toBe(true);
  });

  it('a redirect is permanent and names the base URL to check', () => {
    const error = errorForResponse({ ...base, status: 301, location: 'https://elsewhere.example/api' });
    expect(error.code).toBe('JUMPCLOUD_REDIRECT');
    expect(error.message).toContain('to https://elsewhere.example/api; the client does not follow redirects — check the base URL https://console.jumpcloud.com');
  });

  it('other statuses are permanent', () => {
    expect(errorForResponse({ ...base, status: 422 })).toMatchObject({ code: 'JUMPCLOUD_HTTP_ERROR', retryable: false });
  });
});
