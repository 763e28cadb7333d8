import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../../engine/errors/index.js';
import { assertReading, isReadingRequest } from '../../../../actions/jumpcloud/client/read-only.js';

describe('read-only requests', () => {
  it('lets GETs and search POSTs through', () => {
    expect(isReadingRequest({ method: 'GET', path: '/api/systemusers/5f0000000000000000000001' })).toBe(true);
    expect(isReadingRequest({ method: 'POST', path: '/api/search/systemusers' })).toBe(true);
    expect(isReadingRequest({ method: 'POST', path: '/insights/directory/v1/events' })).toBe(true);
  });

  it('refuses everything that could change something, naming the request', () => {
    for (const [method, path] of [
      ['PUT', '/api/systemusers/1'],
      ['DELETE', '/api/systemusers/1'],
      ['PATCH', '/api/v2/users/1/pushendpoints/2'],
      ['POST', '/api/v2/usergroups/1/members'],
      ['POST', '/api/systemusers/1/resetmfa'],
      ['POST', '/api/searchable'],
      ['POST', '/insights/directory/v1/eventsx'],
    ] as const) {
      expect(isReadingRequest({ method, path }), `${method} ${path}`).toBe(false);
      expect(() => assertReading({ method, path, what: 'the thing' })).toThrow(PermanentError);
    }
    expect(() => assertReading({ method: 'DELETE', path: '/api/systemusers/1', what: 'user 1' })).toThrow(
      'This JumpCloud client is read-only (a plan makes no change): refused DELETE /api/systemusers/1 (user 1)',
    );
  });
});
