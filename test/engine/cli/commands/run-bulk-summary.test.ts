import { describe, expect, it } from 'vitest';
import { summaryTable } from '../../../../engine/cli/commands/run-bulk.js';

describe('the summary of a bulk run', () => {
  it('counts a row whose run was cancelled (idflow runs cancel) as cancelled, not failed', () => {
    const text = summaryTable([
      { line: 1, subject: 'ann', status: 'succeeded', runId: 'r1' },
      { line: 2, subject: 'bob', status: 'cancelled', runId: 'r2', error: 'Run r2 was cancelled by alice' },
    ]);
    expect(text).toContain('2 runs: 1 succeeded, 0 failed, 1 cancelled');
    expect(text).toMatch(/^2\s+bob\s+cancelled\s+r2\s+Run r2 was cancelled by alice$/m);
  });
});
