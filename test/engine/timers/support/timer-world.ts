import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ActionDefinition } from '../../../../engine/plugin-api/action.js';
import { ActionRegistry } from '../../../../engine/registry/action-registry.js';
import { createTemplateEngine } from '../../../../engine/templating/index.js';
import { Redactor } from '../../../../engine/logging/redactor.js';
import { RunStore } from '../../../../engine/store/run-store.js';
import { loadWorkflowSource } from '../../../../engine/loader/load-workflow.js';
import { ValidationError } from '../../../../engine/errors/usage-errors.js';
import type { RunServices } from '../../../../engine/runner/run-services.js';
import type { TimerRuntime } from '../../../../engine/timers/fire-timer.js';

/** A tiny directory: user id → state, changed only through the actions below. */
export interface UserWorld {
  users: Map<string, 'active' | 'suspended' | 'deleted'>;
  /** How many times the delete action ran. */
  deletes: number;
  /** Called when `test.clock.sleep` starts waiting (a test stops the run right then). */
  onSleep?: () => void;
}

/**
 * Real actions over {@link UserWorld}: a deferred deletion that re-checks the user's state
 * (like `jumpcloud.user.delete_if_suspended`), and a slow one for interrupt tests.
 */
export function worldActions(world: UserWorld): ActionDefinition[] {
  const deleteIfSuspended: ActionDefinition<{ user_id: string; note?: string }> = {
    id: 'test.user.delete_if_suspended',
    description: 'Deletes a user who is still suspended; leaves an active one alone',
    params: { type: 'object', properties: { user_id: { type: 'string', minLength: 1 }, note: { type: 'string' } }, required: ['user_id'], additionalProperties: false },
    run(ctx, params) {
      world.deletes++;
      const state = world.users.get(params.user_id);
      if (state === 'suspended') {
        world.users.set(params.user_id, 'deleted');
        ctx.changes.record({ target: `user ${params.user_id}`, operation: 'delete' });
        return { changed: true, output: { deleted: true }, summary: `deleted user ${params.user_id}` };
      }
      return { changed: false, output: { deleted: false }, summary: `user ${params.user_id} is ${state ?? 'gone'}: not deleted` };
    },
  };
  const slow: ActionDefinition<{ ms: number }> = {
    id: 'test.clock.sleep',
    description: 'Waits, honouring the signal',
    params: { type: 'object', properties: { ms: { type: 'integer' } }, required: ['ms'], additionalProperties: false },
    async run(ctx, params) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, params.ms);
        ctx.signal.addEventListener('abort', () => { clearTimeout(timer); reject(ctx.signal.reason); }, { once: true });
        world.onSleep?.();
      });
      return { changed: false };
    },
  };
  const secretive: ActionDefinition<{ token: string }> = {
    id: 'test.secret.send',
    description: 'Takes a secret parameter',
    params: { type: 'object', properties: { token: { type: 'string', 'x-secret': true } }, required: ['token'], additionalProperties: false },
    run: () => ({ changed: false }),
  };
  return [deleteIfSuspended, slow, secretive];
}

/** Runner services over a fresh store with the world's actions, and a runtime-like loader. */
export function createTimerRuntime(world: UserWorld, options: { sandbox?: boolean; root?: string } = {}): TimerRuntime & { services: RunServices; console: { stream: NodeJS.WritableStream; mode: 'silent' }; registry: ActionRegistry; root: string } {
  const registry = new ActionRegistry();
  registry.registerModule(worldActions(world), 'timer-world');
  const redactor = new Redactor();
  const root = options.root ?? mkdtempSync(join(tmpdir(), 'idflow-timers-'));
  const services: RunServices = {
    registry,
    templates: createTemplateEngine(),
    store: new RunStore(join(root, 'store'), { redactor }),
    redactor,
    connections: { get: () => undefined },
    secret: () => undefined,
    sandbox: options.sandbox ?? false,
    cwd: root,
    retryDelayScale: 0.01,
  };
  return {
    services,
    registry,
    root,
    console: { stream: new Writable({ write: (_c, _e, cb) => cb() }), mode: 'silent' },
    async loadPinnedWorkflow(text, file) {
      const result = await loadWorkflowSource(text, file, { registry });
      if (result.workflow === undefined) throw new ValidationError('INVALID_TEMPLATE', `${file} has problems`, result.problems);
      return { workflow: result.workflow, file, source: text, hash: result.hash };
    },
  };
}
