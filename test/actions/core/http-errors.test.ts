import { describe, expect, it } from 'vitest';
import { bodySnippet, networkFailureReason, parseRetryAfter, unexpectedStatusError } from '../../../actions/core/http-errors.js';
import { PermanentError, TransientError } from '../../../engine/errors/index.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-04T15:00:00Z');
  it.each([
    ['7', 7000],
    ['0', 0],
    ['1.5', 1500],
    ['Wed, 04 Mar 2026 15:01:00 GMT', 60_000],
    ['Wed, 04 Mar 2026 14:59:00 GMT', 0],
  ])('reads %s', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
  it.each([[null], [undefined], ['soon'], ['']])('ignores %s', (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });
});

describe('unexpectedStatusError', () => {
  const answer = (status: number, text = '', headers: Record<string, string> = {}) => ({ status, statusText: '', headers: new Headers(headers), text });
  it.each([408, 425, 429, 500, 502, 503, 504])('is transient for %i', (status) => {
    expect(unexpectedStatusError('GET x', answer(status))).toBeInstanceOf(TransientError);
  });
  it.each([400, 401, 403, 404, 409, 410, 422])('is permanent for %i', (status) => {
    const error = unexpectedStatusError('GET x', answer(status, 'nope'));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toBe(`GET x returned ${status} (expected 2xx): nope`);
  });
  it('carries Retry-After', () => {
    const error = unexpectedStatusError('GET x', answer(503, '', { 'retry-after': '30' }));
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryAfterMs).toBe(30_000);
  });
});

describe('bodySnippet and networkFailureReason', () => {
  it('puts a body on one short line', () => {
    expect(bodySnippet('  a\n\n b  ')).toBe('a b');
    expect(bodySnippet('x'.repeat(400))).toHaveLength(301);
  });
  it('reads the cause under undici\'s "fetch failed"', () => {
    const error = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    expect(networkFailureReason(error)).toBe('connect ECONNREFUSED 127.0.0.1:1');
  });
});
