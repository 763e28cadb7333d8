import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../../actions/jumpcloud/client/retry-after.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-04T15:30:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
  });

  it('reads an HTTP-date as the time left until then', () => {
    expect(parseRetryAfter('Wed, 04 Mar 2026 15:30:05 GMT', now)).toBe(5000);
  });

  it('reads a date in the past as no wait', () => {
    expect(parseRetryAfter('Wed, 04 Mar 2026 15:29:00 GMT', now)).toBe(0);
  });

  it('ignores an absent or unreadable header', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
    expect(parseRetryAfter('2026', now)).toBe(2_026_000);
  });
});
