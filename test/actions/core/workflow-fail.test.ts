import { describe, expect, it } from 'vitest';
import { failAction, WORKFLOW_STOPPED } from '../../../actions/core/workflow-fail.js';
import { PermanentError } from '../../../engine/errors/action-errors.js';
import { createRunLogger } from '../../../engine/logging/run-logger.js';
import { createMockActionContext } from '../../../engine/plugin-api/mock-context.js';
import { ActionRegistry } from '../../../engine/registry/action-registry.js';
import { planRun } from '../../../engine/runner/plan-run.js';
import { startRun } from '../../../engine/runner/start-run.js';
import { createTestServices } from '../../engine/runner/support/services.js';
import { startRequest } from '../../engine/runner/support/request.js';
import { step, workflow } from '../../engine/runner/support/workflow.js';

const registry = new ActionRegistry();
registry.register(failAction, 'builtin:core');
const validate = registry.get('workflow.fail')?.validateParams;

/** A guard: more groups found than the limit stops the run before the step that removes them. */
function guarded(limit: number) {
  return workflow(
    [
      step('count', 'test.value.echo', { with: { value: 3 } }),
      step('limit', 'workflow.fail', { if: { '>': [{ var: 'steps.count.output.value' }, limit] }, with: { message: `{{steps.count.output.value}} groups found, more than the limit of ${limit}: nothing was changed` } }),
      step('remove', 'test.groups.remove'),
    ],
    { on_failure: [step('tell', 'test.value.echo', { with: { value: '{{steps.limit.status}}', key: 'tell' } })] },
  );
}

function servicesWithGroups() {
  const services = createTestServices();
  services.registry.register(failAction, 'builtin:core');
  for (const g of ['eng', 'sales', 'ops']) services.world.groups.add(g);
  return services;
}

describe('workflow.fail', () => {
  it('stops with its message as a permanent WORKFLOW_STOPPED error, in run and plan alike', async () => {
    const message = '120 users would be suspended, more than the limit of 25';
    const run = await Promise.resolve().then(() => failAction.run(createMockActionContext(), { message })).catch((e: unknown) => e);
    expect(run).toBeInstanceOf(PermanentError);
    expect(run).toMatchObject({ code: WORKFLOW_STOPPED, message, retryable: false });
    const plan = await Promise.resolve().then(() => failAction.plan?.(createMockActionContext({ dryRun: true }), { message })).catch((e: unknown) => e);
    expect(plan).toMatchObject({ code: WORKFLOW_STOPPED, message });
  });

  it('requires a message that is not blank, and nothing else', () => {
    expect(validate?.({ message: 'stop' })).toBe(true);
    expect(validate?.({})).toBe(false);
    expect(validate?.({ message: '   ' })).toBe(false);
    expect(validate?.({ message: 'stop', extra: 1 })).toBe(false);
    for (const example of failAction.examples ?? []) expect(validate?.(structuredClone(example.with))).toBe(true);
  });

  it('as a guard, fails the run before the step that would change anything, once, and on_failure runs', async () => {
    const services = servicesWithGroups();
    const outcome = await startRun(startRequest(guarded(2), services), services);
    expect(outcome).toMatchObject({ status: 'failed', failedStep: 'limit' });
    expect(outcome.error).toMatchObject({ code: WORKFLOW_STOPPED, message: '3 groups found, more than the limit of 2: nothing was changed' });
    expect([...services.world.groups].sort()).toEqual(['eng', 'ops', 'sales']);
    expect(services.world.calls.get('echo:tell')).toBe(1);
  });

  it('under its limit, is skipped and the run goes on', async () => {
    const services = servicesWithGroups();
    const outcome = await startRun(startRequest(guarded(5), services), services);
    expect(outcome.status).toBe('succeeded');
    expect(services.world.groups.size).toBe(0);
  });

  it('shows in the plan where the run would stop, and why', async () => {
    const services = servicesWithGroups();
    const wf = guarded(2);
    const logger = createRunLogger({ runId: 'plan-1', workflowId: wf.id, redactor: services.redactor, console: { stream: services.console.stream, mode: 'silent' } });
    const data = { inputs: {}, vars: {}, event: {}, steps: {}, run: { id: 'plan-1', workflow_id: wf.id, started_at: new Date().toISOString(), initiated_by: 'tester', dry_run: true } };
    try {
      const plan = await planRun({ workflow: wf, data, logger, signal: new AbortController().signal }, services);
      expect(plan.steps.find((s) => s.id === 'limit')).toMatchObject({ status: 'error', reason: expect.stringContaining('3 groups found, more than the limit of 2') });
    } finally {
      await logger.close();
    }
    expect(services.world.groups.size).toBe(3);
  });
});
