import { describe, expect, it } from 'vitest';
import { formatDuration, renderProgressLine } from '../../../engine/logging/progress-view.js';

const info = (event: string, meta: Record<string, unknown> = {}, message = ''): { level: string; message: string } & Record<string, unknown> => ({ level: 'info', message, event, ...meta });
const stripAnsi = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

describe('renderProgressLine', () => {
  it('renders each progress event as a readable line (plain)', () => {
    const cases: Array<[Record<string, unknown> & { level: string; message: string }, string]> = [
      [info('run.started', { name: 'Offboard a user', runId: '20261122-2305-k3x9p2' }), '>> Offboard a user  run 20261122-2305-k3x9p2'],
      [info('step.started', { step: 'remove_groups', name: 'Remove from all user groups' }), '  > remove_groups  Remove from all user groups'],
      [info('step.started', { step: 'lookup', action: 'jumpcloud.user.lookup' }), '  > lookup  jumpcloud.user.lookup'],
      [info('step.finished', { step: 'remove_groups', status: 'succeeded', changed: true, summary: 'removed from 5 groups', durationMs: 1200 }), '  + remove_groups  changed · removed from 5 groups  1.2s'],
      [info('step.finished', { step: 'lookup', status: 'succeeded', changed: false, durationMs: 85 }), '  + lookup  unchanged  85ms'],
      [info('step.skipped', { step: 'backup', reason: 'if: false' }), '  - backup  skipped (if: false)'],
      [info('step.finished', { step: 'backup', status: 'skipped', reason: 'if: false' }), '  - backup  skipped (if: false)'],
      [info('step.finished', { step: 'unbind', status: 'failed', attempts: 3, error: { code: 'TRANSIENT', message: 'HTTP 503 from /systems' }, durationMs: 4000 }), '  x unbind  failed after 3 attempts: HTTP 503 from /systems  4.0s'],
      [info('step.finished', { step: 'unbind', status: 'failed', attempts: 1, error: 'user not found' }), '  x unbind  failed: user not found'],
      [info('step.retry', { step: 'unbind', attempt: 2, error: { code: 'TRANSIENT', message: 'Service Unavailable', details: { status: 503 } }, retryInMs: 1000 }), '  ~ unbind  attempt 2 after 503, retrying in 1.0s'],
      [info('step.retry', { step: 'unbind', attempt: 3, error: 'socket hang up', durationMs: 2500 }), '  ~ unbind  attempt 3 after socket hang up, retrying in 2.5s'],
      [info('step.finished', { step: 'notify', item: 2, status: 'succeeded', changed: true, summary: 'sent', durationMs: 10 }), '  + notify[2]  changed · sent  10ms'],
      [info('step.finished', { step: 'remove', status: 'succeeded', changed: true, items: { total: 5, succeeded: 4, failed: 1 } }), '  + remove  changed · 5 items (4 ok, 1 failed)'],
      [info('run.finished', { status: 'succeeded', name: 'Offboard a user', durationMs: 3400 }), '+ Offboard a user succeeded in 3.4s'],
      [info('run.finished', { status: 'failed', step: 'unbind', error: { message: 'HTTP 503' } }), 'x Run failed at step unbind: HTTP 503'],
      [info('run.finished', { status: 'failed', step: 'unbind', error: 'HTTP 503', durationMs: 2000 }), 'x Run failed at step unbind in 2.0s: HTTP 503'],
      [info('run.finished', { status: 'skipped' }, 'run skipped: the workflow\'s "when" condition is false'), '- run skipped: the workflow\'s "when" condition is false'],
      [info('run.finished', { status: 'interrupted' }, 'run interrupted (SIGINT); resume it with: idflow resume 20261122-2305-k3x9p2'), '! run interrupted (SIGINT); resume it with: idflow resume 20261122-2305-k3x9p2'],
      [info('step.started', { step: 'remove_groups', name: 'Remove from groups', items: 5 }), '  > remove_groups  Remove from groups  (5 items)'],
      [{ level: 'info', message: 'Offboarding started by alice' }, '  Offboarding started by alice'],
      [{ level: 'warn', message: 'user has no manager' }, '  ! warning: user has no manager'],
      [{ level: 'error', message: 'disk full' }, '  x error: disk full'],
    ];
    for (const [entry, expected] of cases) expect(renderProgressLine(entry, 'plain')).toBe(expected);
  });

  it('uses Unicode symbols and colour in pretty style, none in plain', () => {
    const entry = info('step.finished', { step: 'remove_groups', status: 'succeeded', changed: true, summary: 'removed from 5 groups', durationMs: 1200 });
    const pretty = renderProgressLine(entry, 'pretty');
    expect(pretty).toContain('\u001b[');
    expect(stripAnsi(pretty)).toBe('  ✔ remove_groups  changed · removed from 5 groups  1.2s');
    expect(stripAnsi(renderProgressLine(info('step.started', { step: 'a', name: 'A' }), 'pretty'))).toBe('  ▸ a  A');
    expect(stripAnsi(renderProgressLine(info('step.skipped', { step: 'b', reason: 'if: false' }), 'pretty'))).toBe('  ↷ b  skipped (if: false)');
    expect(stripAnsi(renderProgressLine(info('step.retry', { step: 'c', attempt: 2, error: '503', retryInMs: 1000 }), 'pretty'))).toBe('  ↻ c  attempt 2 after 503, retrying in 1.0s');
    expect(stripAnsi(renderProgressLine(info('step.finished', { step: 'd', status: 'failed', attempts: 3, error: 'boom' }), 'pretty'))).toBe('  ✖ d  failed after 3 attempts: boom');
    expect(renderProgressLine(entry, 'plain')).not.toContain('\u001b[');
  });

  it('puts the prefix (the subject of a bulk run) before every line', () => {
    expect(renderProgressLine(info('step.started', { step: 'lookup', name: 'Find the user' }), 'plain', 'john@example.com')).toBe('[john@example.com]   > lookup  Find the user');
  });
});

describe('formatDuration', () => {
  it('picks a readable unit', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(1200)).toBe('1.2s');
    expect(formatDuration(125_000)).toBe('2m 05s');
    expect(formatDuration(3_720_000)).toBe('1h 02m');
  });
});
