import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redactor } from '../../../engine/logging/redactor.js';
import { RunStore } from '../../../engine/store/run-store.js';
import type { RunHandle } from '../../../engine/store/run-handle.js';

/** A fresh store with one run, for audit tests. */
export function auditFixture(redactor?: Redactor): { root: string; store: RunStore; run: RunHandle } {
  const root = mkdtempSync(join(tmpdir(), 'idflow-audit-'));
  const store = new RunStore(root, redactor === undefined ? {} : { redactor });
  const run = store.createRun({
    workflow: { id: 'offboard', name: 'Offboard a user' },
    templatePath: '/templates/offboard.yaml',
    templateText: 'id: offboard\n',
    templateHash: 'f'.repeat(64),
    inputs: {},
    subject: 'john@example.com',
    initiatedBy: 'alice',
    reason: 'left the company',
    trigger: { type: 'manual' },
    sandbox: false,
  });
  return { root, store, run };
}

/** Appends `count` ordinary entries (`remove group g<n>`). */
export function appendEntries(run: RunHandle, count: number): void {
  for (let i = 1; i <= count; i++) {
    run.audit.append({ step: 'remove_groups', action: 'jumpcloud.user.groups.remove', operation: 'remove', target: `group g${i}`, before: { member: true }, after: { member: false }, result: 'changed' });
  }
}
