import { join } from 'node:path';
import { AuditTrail, type AuditEntryInput } from '../../audit/audit-trail.js';
import type { Redactor } from '../../logging/redactor.js';
import type { Durability } from '../../store/durability.js';
import { makePrivateDir } from '../../store/private-files.js';

/** The folder (under the store) of serve's operations trail, and the `run_id` its entries carry. */
export const OPERATIONS_TRAIL = 'operations';

/**
 * The audit trail of what people did through serve that is not a run's own step: enabling and
 * disabling workflows, cancelling timers, planning, starting, resuming and cancelling runs. One
 * hash-chained trail (`<store>/operations/audit.jsonl`, the same format and checks as a run's,
 * `run_id` "operations"), each entry with who did it as `initiated_by` and the workflow it
 * concerns as `workflow_id`. Serve is its only writer (one serve per store).
 */
export class OperationsAudit {
  readonly dir: string;

  constructor(storeRoot: string, private readonly options: { redactor: Redactor; durability?: Durability }) {
    this.dir = join(storeRoot, OPERATIONS_TRAIL);
  }

  /** Appends one entry on behalf of `who` (a principal's label). */
  record(who: string, workflowId: string, entry: AuditEntryInput): void {
    makePrivateDir(this.dir);
    // Who differs from entry to entry, and the trail reads its identity once: one trail object
    // per entry (it picks up the chain from the file's head).
    const trail = new AuditTrail({
      dir: this.dir,
      runId: OPERATIONS_TRAIL,
      identity: () => ({ workflowId, initiatedBy: who }),
      redactor: this.options.redactor,
      ...(this.options.durability === undefined ? {} : { durability: this.options.durability }),
    });
    try {
      trail.append(entry);
    } finally {
      trail.close();
    }
  }
}
