import { describe, expect, it } from 'vitest';
import { planRun } from '../../../engine/runner/plan-run.js';
import { createRunLogger } from '../../../engine/logging/run-logger.js';
import { renderPlan } from '../../../engine/cli/format/plan-view.js';
import type { RunData, Workflow } from '../../../engine/language/types.js';
import { createTestServices } from './support/services.js';
import { step, workflow } from './support/workflow.js';

function data(inputs: Record<string, unknown> = {}): RunData {
  return { inputs, vars: {}, event: {}, steps: {}, run: { id: 'plan-1', workflow_id: 'test-workflow', started_at: new Date().toISOString(), initiated_by: 'tester', dry_run: true } };
}

async function plan(wf: Workflow, services: ReturnType<typeof createTestServices>, inputs: Record<string, unknown> = {}) {
  const logger = createRunLogger({ runId: 'plan-1', workflowId: wf.id, redactor: services.redactor, console: { stream: services.console.stream, mode: 'silent' } });
  try {
    return await planRun({ workflow: wf, data: data(inputs), logger, signal: new AbortController().signal }, services);
  } finally {
    await logger.close();
  }
}

describe('planRun', () => {
  it('lists the concrete changes each action would make, and never calls run()', async () => {
    const services = createTestServices();
    for (const g of ['eng', 'all-staff']) services.world.groups.add(g);
    const wf = workflow([
      step('who', 'test.value.echo', { with: { value: 'john' } }),
      step('groups', 'test.groups.remove', { name: 'Remove from groups', if: { '==': [{ var: 'steps.who.output.value' }, 'john'] } }),
      step('after', 'test.value.echo', { with: { value: '{{steps.groups.output.removed}}' } }),
      step('never', 'test.value.echo', { if: false }),
    ]);
    const result = await plan(wf, services);
    expect(services.world.calls.size).toBe(0);
    expect(services.world.groups.size).toBe(2);
    expect(result.steps.map((s) => [s.id, s.status])).toEqual([['who', 'would_run'], ['groups', 'would_run'], ['after', 'would_run'], ['never', 'would_skip']]);
    expect(result.steps[1]?.changes).toEqual([{ target: 'group all-staff', operation: 'remove' }, { target: 'group eng', operation: 'remove' }]);
    expect(result.totalChanges).toBe(2);
  });

  it('reports an action without plan() as "would run, no preview", and what depends on it as not previewable', async () => {
    const services = createTestServices();
    const wf = workflow([
      step('opaque', 'test.opaque.act'),
      step('uses', 'test.value.echo', { with: { value: '{{steps.opaque.output.id}}' } }),
      step('cond', 'test.value.echo', { if: { '==': [{ var: 'steps.opaque.output.id' }, 'x'] } }),
      step('independent', 'test.value.echo', { with: { value: 1 } }),
    ]);
    const result = await plan(wf, services);
    expect(services.world.calls.get('opaque')).toBeUndefined();
    expect(result.steps.map((s) => [s.id, s.status, s.reason])).toEqual([
      ['opaque', 'no_preview', 'would run, no preview: "test.opaque.act" has no plan()'],
      ['uses', 'cannot_preview', 'depends on step "opaque", whose output is unknown because "test.opaque.act" has no preview'],
      ['cond', 'cannot_preview', 'its "if" depends on step "opaque", whose output is unknown because "test.opaque.act" has no preview'],
      ['independent', 'would_run', undefined],
    ]);
  });

  it('plans foreach steps item by item, and reports parameter errors without stopping', async () => {
    const services = createTestServices();
    // The bad parameter reads an earlier step's output: it can only be checked when planned.
    const wf = workflow([
      step('each', 'test.value.echo', { foreach: '{{inputs.names}}', with: { value: '{{item}}' } }),
      step('bad', 'test.typed.take', { with: { count: '{{steps.each.output}}' } }),
    ], { inputs: { names: { type: 'array' } } });
    const result = await plan(wf, services, { names: ['a', 'b'] });
    expect(result.steps[0]).toMatchObject({ status: 'would_run', items: [{ status: 'would_run' }, { status: 'would_run' }] });
    expect(result.steps[1]).toMatchObject({ status: 'error' });
    expect(result.steps[1]?.reason).toContain('"count" must be integer');
    expect(services.world.plans).toBe(2);
  });
});

describe('planRun and ending early', () => {
  it('shows the steps after an ending step as skipped, with the reason', async () => {
    const services = createTestServices();
    const wf = workflow([step('check', 'test.run.end', { with: { reason: 'nothing left to do' } }), step('after', 'test.value.echo')]);
    const result = await plan(wf, services);
    expect(result.steps.map((s) => [s.id, s.status, s.reason, s.endRun])).toEqual([
      ['check', 'would_run', undefined, 'nothing left to do'],
      ['after', 'would_skip', 'the run would end early at step "check": nothing left to do', undefined],
    ]);
  });
});

describe('planRun and a step whose preview fails', () => {
  // The count reads an earlier step's output, so only the plan can find it wrong (not the pre-run check).
  const failing = (rest = {}) => step('bad', 'test.typed.take', { with: { count: '{{steps.who.output.value}}' }, ...rest });

  it('ends where the run would: the later steps are not reached, and the on_failure steps are planned', async () => {
    const services = createTestServices();
    const wf = workflow(
      [step('who', 'test.value.echo', { with: { value: 'john' } }), failing(), step('after', 'test.value.echo', { with: { value: 1 } })],
      { on_failure: [step('tell', 'test.value.echo', { with: { value: 'failed at {{#each steps}}{{#if (eq this.status "failed")}}{{@key}}{{/if}}{{/each}}' } })] },
    );
    const result = await plan(wf, services);
    expect(result.steps.map((s) => [s.id, s.status, s.notReached])).toEqual([
      ['who', 'would_run', undefined],
      ['bad', 'error', undefined],
      ['after', 'would_skip', true],
    ]);
    expect(result.steps[2]?.reason).toBe('not reached: the run would fail at step "bad"');
    expect(result.failed).toEqual({ step: 'bad', reason: expect.stringContaining('"count" must be integer') as string });
    expect(result.onFailureSteps?.map((s) => [s.id, s.status])).toEqual([['tell', 'would_run']]);
    // The on_failure step sees the run as it would be: "bad" failed, "after" never ran.
    expect(services.world.plans).toBe(2);

    const text = renderPlan(result, 'plain');
    expect(text).toContain('  after  [test.value.echo]  not reached: the run would fail at step "bad"');
    expect(text).toContain('  The run would fail at step "bad": ');
    expect(text).toContain('  and then run its on_failure steps:\n  tell  [test.value.echo]  no change');
    expect(text.endsWith('0 changes in 4 steps, 1 not reached, 1 with errors. The run would fail. Nothing was changed.')).toBe(true);
  });

  it('goes on past a step that continues on error, as the run does', async () => {
    const services = createTestServices();
    const wf = workflow([step('who', 'test.value.echo', { with: { value: 'john' } }), failing({ continue_on_error: true }), step('after', 'test.value.echo', { with: { value: 1 } })], { on_failure: [step('tell', 'test.value.echo')] });
    const result = await plan(wf, services);
    expect(result.steps.map((s) => s.status)).toEqual(['would_run', 'error', 'would_run']);
    expect(result.failed).toBeUndefined();
    expect(result.onFailureSteps).toBeUndefined();
    expect(renderPlan(result, 'plain')).toContain('  on failure: tell');
  });
});
