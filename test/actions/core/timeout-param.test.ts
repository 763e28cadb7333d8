import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS, formatDuration, timeoutMs } from '../../../actions/core/timeout-param.js';
import { PermanentError } from '../../../engine/errors/index.js';

describe('timeoutMs', () => {
  it.each([
    [undefined, DEFAULT_TIMEOUT_MS],
    [10, 10_000],
    [0.25, 250],
    ['500ms', 500],
    ['10s', 10_000],
    ['10', 10_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    [' 1.5 S ', 1500],
  ] as const)('reads %j', (value, expected) => {
    expect(timeoutMs(value, 'x "timeout"')).toBe(expected);
  });
  it.each([[0], [-1], ['soon'], ['10 minutes'], ['']])('refuses %j, naming the parameter', (value) => {
    expect(() => timeoutMs(value, 'x "timeout"')).toThrow(PermanentError);
    expect(() => timeoutMs(value, 'x "timeout"')).toThrow(/^x "timeout" must be a positive number of seconds/);
  });
  it('formats durations for messages', () => {
    expect(formatDuration(100)).toBe('100ms');
    expect(formatDuration(30_000)).toBe('30s');
    expect(formatDuration(1500)).toBe('1.5s');
  });
});
