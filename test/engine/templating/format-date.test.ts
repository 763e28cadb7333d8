import { describe, expect, it } from 'vitest';
import { formatDate, parseDate } from '../../../engine/templating/format-date.js';

describe('parseDate', () => {
  it.each<[string | number, string | undefined]>([
    ['2026-05-01', '2026-05-01T00:00:00.000Z'],
    ['2026-05-01T09:30', '2026-05-01T09:30:00.000Z'],
    ['2026-05-01 09:30:15', '2026-05-01T09:30:15.000Z'],
    ['2026-05-01T09:30:15.250Z', '2026-05-01T09:30:15.250Z'],
    ['2026-05-01T09:30:00+02:00', '2026-05-01T07:30:00.000Z'],
    ['2026-05-01T09:30:00-0130', '2026-05-01T11:00:00.000Z'],
    [0, '1970-01-01T00:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2026-02-29', undefined],
    ['2026-13-01', undefined],
    ['2026-04-31', undefined],
    ['2026-05-01T25:00Z', undefined],
    ['May 1st', undefined],
    ['1714555800000', undefined],
    [Number.NaN, undefined],
  ])('%s', (value, expected) => {
    expect(parseDate(value)?.toISOString()).toBe(expected);
  });
});

describe('formatDate', () => {
  const date = new Date('2026-03-04T05:06:07.089Z');
  it.each([
    ['iso', '2026-03-04T05:06:07.089Z'],
    ['YYYY-MM-DD', '2026-03-04'],
    ['DD/MM/YYYY HH:mm:ss', '04/03/2026 05:06:07'],
    ['YYYYMMDD-HHmm', '20260304-0506'],
    ['[at] HH:mm UTC', '[at] 05:06 UTC'],
    ['no tokens', 'no tokens'],
  ])('%s', (format, expected) => {
    expect(formatDate(date, format)).toBe(expected);
  });
});
