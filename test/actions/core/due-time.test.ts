import { describe, expect, it } from 'vitest';
import { isTimeZone, parseAt } from '../../../actions/core/due-time.js';
import { parseDelay } from '../../../engine/loader/duration.js';

describe('parseAt', () => {
  it.each([
    ['2026-12-01', 'UTC', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01', 'Europe/Paris', '2026-11-30T23:00:00.000Z'],
    ['2026-07-01', 'Europe/Paris', '2026-06-30T22:00:00.000Z'],
    ['2026-12-01T09:00', 'America/New_York', '2026-12-01T14:00:00.000Z'],
    ['2026-12-01T09:00:00.5', 'UTC', '2026-12-01T09:00:00.500Z'],
    ['2026-12-01T09:00:00+01:00', 'America/New_York', '2026-12-01T08:00:00.000Z'],
    ['2026-12-01T09:00:00Z', 'Asia/Tokyo', '2026-12-01T09:00:00.000Z'],
    // Clocks go forward at 02:00 in Paris on 29 March: 02:30 does not exist and lands after the change.
    ['2026-03-29T02:30', 'Europe/Paris', '2026-03-29T01:30:00.000Z'],
    // 02:30 on 25 October occurs twice in Paris: the first.
    ['2026-10-25T02:30', 'Europe/Paris', '2026-10-25T00:30:00.000Z'],
  ])('%s in %s is %s', (at, zone, expected) => {
    expect(parseAt(at, zone)?.toISOString()).toBe(expected);
  });

  it.each(['2026-02-30', '2026-13-01', '2026-12-01T24:00', 'tomorrow', '01/12/2026', '2026-12-01T09:00+1'])('refuses %s', (at) => {
    expect(parseAt(at, 'UTC')).toBeUndefined();
  });

  it('knows time zones', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Europe/Pariss')).toBe(false);
  });
});

describe('parseDelay', () => {
  it('reads days and weeks besides the units of a duration', () => {
    expect(parseDelay('14d')).toBe(14 * 86_400_000);
    expect(parseDelay('36h')).toBe(36 * 3_600_000);
    expect(parseDelay('2w')).toBe(14 * 86_400_000);
    expect(parseDelay('90s')).toBe(90_000);
    expect(parseDelay('0d')).toBe(0);
    expect(parseDelay('1.5d')).toBeUndefined();
    expect(parseDelay('d')).toBeUndefined();
    expect(parseDelay(14)).toBeUndefined();
  });
});
