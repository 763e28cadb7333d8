import type { Issue } from './issue.js';
import { parseDuration } from './duration.js';
import { isRecord, stepEntries } from './workflow-data.js';

/**
 * Step options that are each valid alone but make no sense together: a retry `delay` longer
 * than its `max_delay`, and `concurrency` on a step without `foreach` (which would be ignored).
 */
export function checkStepOptions(data: unknown): Issue[] {
  const issues: Issue[] = [];
  for (const { step, pointer } of stepEntries(data)) {
    const retry = step['retry'];
    if (isRecord(retry)) {
      const delay = parseDuration(retry['delay']);
      const maxDelay = parseDuration(retry['max_delay']);
      if (delay !== undefined && maxDelay !== undefined && delay > maxDelay) {
        issues.push({ pointer: `${pointer}/retry/delay`, code: 'invalid-retry', message: `the retry "delay" (${String(retry['delay'])}) is longer than its "max_delay" (${String(retry['max_delay'])})` });
      }
    }
    if (step['concurrency'] !== undefined && step['foreach'] === undefined) {
      issues.push({ pointer: `${pointer}/concurrency`, at: 'key', code: 'unused-option', severity: 'warning', message: '"concurrency" only applies to foreach steps; this step has no "foreach"' });
    }
  }
  return issues;
}
