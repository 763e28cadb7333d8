import type { RunData } from '../../../engine/language/types.js';
import type { ReferenceScope } from '../../../engine/language/scope.js';
import { RUN_FIELDS } from '../../../engine/language/scope.js';

/** Run data shaped like a real offboarding run, shared by the templating tests. */
export function sampleData(): RunData {
  return {
    inputs: { name: "O'Neil <x>", reason: 'left the company', days: 30, notify: true, empty: '', nothing: null, tags: ['a', 'b'], settings: { mode: 'disable' } },
    vars: { it_email: 'it@example.com', retention_days: 0 },
    event: { type: 'hr.employee.terminated' },
    steps: {
      lookup: { status: 'succeeded', changed: false, output: { user: { email: 'jane@example.com', username: 'jane', id: 'u1' }, count: 3 } },
      groups: { status: 'succeeded', changed: true, output: { groups: [{ id: 'g1', name: 'Admins' }, { id: 'g2', name: 'VPN' }], empty: [] } },
      skipped: { status: 'skipped', changed: false, output: null },
    },
    run: { id: 'run-1', workflow_id: 'offboard', started_at: '2026-05-01T09:30:00.000Z', initiated_by: 'admin', dry_run: false },
  };
}

/** A scope for a step that runs after `lookup` and `groups`, before `notify`. */
export function sampleScope(overrides: Partial<ReferenceScope> = {}): ReferenceScope {
  return {
    inputs: new Set(['name', 'reason', 'days', 'notify', 'tags', 'settings']),
    vars: new Set(['it_email', 'retention_days']),
    stepsBefore: new Set(['lookup', 'groups', 'skipped']),
    allSteps: new Set(['lookup', 'groups', 'skipped', 'notify']),
    event: true,
    item: false,
    runFields: RUN_FIELDS,
    ...overrides,
  };
}
