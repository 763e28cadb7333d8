import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IdflowError } from '../errors/idflow-error.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import { makePrivateDir } from '../store/private-files.js';

/** Workflow ids, as the template language allows them (also safe as file names). */
const WORKFLOW_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Whether a workflow's triggers fire in `idflow serve`, and who last said so. */
export interface WorkflowState {
  id: string;
  enabled: boolean;
  /** When it was last enabled or disabled (absent for a workflow never switched). */
  changedAt?: string;
  /** Who switched it (`--by`, else the OS user). */
  changedBy?: string;
  /** Why, when given. */
  reason?: string;
}

/**
 * Enabled and disabled workflows, kept in the store (`<store>/workflows/<id>.json`, one file
 * per workflow switched, replaced atomically) so that the state survives restarts and every
 * command (serve, `workflows list`, a manual run) sees the same answer. A workflow without a
 * file is enabled: disabling is the exception an admin chooses.
 */
export class WorkflowStateStore {
  /** `<store>/workflows` (absolute). */
  readonly dir: string;
  private readonly now: () => Date;

  constructor(storeRoot: string, options: { now?: () => Date } = {}) {
    this.dir = join(resolve(storeRoot), 'workflows');
    this.now = options.now ?? (() => new Date());
  }

  /**
   * The state of a workflow (enabled when never switched).
   * @throws IdflowError `WORKFLOW_STATE_CORRUPT` when its file is damaged (serve must not guess).
   */
  get(id: string): WorkflowState {
    checkId(id);
    const path = join(this.dir, `${id}.json`);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { id, enabled: true };
      throw error;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new IdflowError('WORKFLOW_STATE_CORRUPT', `${path} is not valid JSON (${(error as Error).message}); fix it or remove it and run "idflow workflows enable|disable ${id}" again`, { cause: error, details: { workflowId: id } });
    }
    if (typeof value !== 'object' || value === null || typeof (value as WorkflowState).enabled !== 'boolean') {
      throw new IdflowError('WORKFLOW_STATE_CORRUPT', `${path} does not say whether ${id} is enabled; fix it or run "idflow workflows enable|disable ${id}" again`, { details: { workflowId: id } });
    }
    return { ...(value as WorkflowState), id };
  }

  /** Whether the workflow's triggers fire. */
  isEnabled(id: string): boolean {
    return this.get(id).enabled;
  }

  /**
   * Enables or disables a workflow.
   * @returns the new state and whether it changed (switching to the current state is a no-op that keeps the old record).
   */
  set(id: string, enabled: boolean, by: { changedBy: string; reason?: string }): { state: WorkflowState; changed: boolean } {
    const current = this.get(id);
    if (current.enabled === enabled) return { state: current, changed: false };
    const state: WorkflowState = {
      id,
      enabled,
      changedAt: this.now().toISOString(),
      changedBy: by.changedBy,
      ...(by.reason === undefined || by.reason.trim() === '' ? {} : { reason: by.reason.trim() }),
    };
    makePrivateDir(this.dir);
    writeFileAtomic(join(this.dir, `${id}.json`), `${JSON.stringify(state, null, 2)}\n`);
    return { state, changed: true };
  }
}

function checkId(id: string): void {
  if (typeof id !== 'string' || !WORKFLOW_ID.test(id)) {
    throw new IdflowError('INVALID_WORKFLOW_ID', `"${String(id)}" is not a workflow id (lower-case letters and digits in dash-separated words, like jumpcloud-offboarding)`, { details: { workflowId: String(id) } });
  }
}

/**
 * The warning a manual run of a disabled workflow prints (the run still goes ahead: disabling
 * stops triggers, not an admin), or undefined when it is enabled.
 */
export function disabledWorkflowWarning(storeRoot: string, workflowId: string): string | undefined {
  let state: WorkflowState;
  try {
    state = new WorkflowStateStore(storeRoot).get(workflowId);
  } catch (error) {
    return `cannot tell whether ${workflowId} is enabled: ${(error as Error).message}`;
  }
  if (state.enabled) return undefined;
  const who = state.changedBy === undefined ? '' : ` by ${state.changedBy}`;
  const when = state.changedAt === undefined ? '' : ` on ${state.changedAt}`;
  const why = state.reason === undefined ? '' : ` (${state.reason})`;
  return `${workflowId} is disabled${who}${when}${why}: its triggers do not fire in idflow serve; running it by hand anyway ("idflow workflows enable ${workflowId}" turns them back on)`;
}
