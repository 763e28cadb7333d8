import type { Issue } from './issue.js';
import { stepEntries } from './workflow-data.js';

/**
 * Step ids must be unique across `steps` and `on_failure`: later steps read a step by its id
 * (`steps.<id>.output`), and the journal records steps by id.
 */
export function checkStepIds(data: unknown): Issue[] {
  const first = new Map<string, string>();
  const issues: Issue[] = [];
  for (const entry of stepEntries(data)) {
    if (entry.id === undefined) continue;
    const where = `${entry.phase}[${entry.index}]`;
    const earlier = first.get(entry.id);
    if (earlier === undefined) {
      first.set(entry.id, where);
      continue;
    }
    issues.push({
      pointer: `${entry.pointer}/id`, code: 'duplicate-step-id',
      message: `duplicate step id "${entry.id}": ${earlier} already uses it`,
      suggestion: 'Step ids must be unique across steps and on_failure; rename one of them',
    });
  }
  return issues;
}
