import { describe, expect, it } from 'vitest';
import { safeNext } from '../../../../engine/serve/auth/safe-next.js';

describe('safeNext', () => {
  it('keeps paths on this server, with their query and fragment', () => {
    expect(safeNext('/runs?status=failed&page=2#top')).toBe('/runs?status=failed&page=2#top');
    expect(safeNext('/workflows/offboard/start')).toBe('/workflows/offboard/start');
    expect(safeNext('/a/../runs')).toBe('/runs');
  });

  it.each([
    'https://evil.example/', '//evil.example/', '///evil.example', '/\\evil.example', '\\\\evil.example', '/\t/evil.example', 'javascript:alert(1)',
    'runs', '', '/sign-in', '/sign-out', '/auth/oidc/start', undefined, 42, ['/runs'],
  ])('sends %j to /', (next) => {
    expect(safeNext(next)).toBe('/');
  });
});
