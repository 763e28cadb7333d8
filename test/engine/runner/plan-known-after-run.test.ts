import { describe, expect, it } from 'vitest';
import { planRun } from '../../../engine/runner/plan-run.js';
import { startRun } from '../../../engine/runner/start-run.js';
import { createRunLogger } from '../../../engine/logging/run-logger.js';
import { renderPlan } from '../../../engine/cli/format/plan-view.js';
import { isKnownAfterRun, knownAfterRun } from '../../../engine/plugin-api/known-after-run.js';
import { createTemplateEngine } from '../../../engine/templating/index.js';
import { evaluateCondition, DecidedAtRunTime } from '../../../engine/conditions/index.js';
import type { RunData, Workflow } from '../../../engine/language/types.js';
import { createTestServices } from './support/services.js';
import { step, workflow } from './support/workflow.js';
import { startRequest } from './support/request.js';

/**
 * Plans that see past a step that creates something: its plan's output holds values known only
 * after the run (a new thing's id), and the engine carries them into later steps' parameters and
 * conditions, so that those are planned too, rather than failing or being skipped.
 */

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

describe('values known only after the run, in templates', () => {
  const engine = createTemplateEngine();
  const id = knownAfterRun('id of the new thing box', { planned: { name: 'box' } });
  const over = { ...data(), steps: { make: { status: 'planned' as const, output: { id, name: 'box' }, changed: true } } };

  it('keeps the value itself for a single expression, and makes a text that prints one known only after the run too', () => {
    expect(engine.renderValue('{{steps.make.output.id}}', over)).toBe(id);
    const text = engine.renderValue('made {{steps.make.output.name}} as {{steps.make.output.id}}', over);
    expect(isKnownAfterRun(text)).toBe(true);
    expect(String(text)).toBe('made box as (known after run: id of the new thing box)');
    expect(JSON.parse(JSON.stringify({ text }))).toEqual({ text: { known_after_run: 'text with the id of the new thing box', preview: 'made box as (known after run: id of the new thing box)' } });
    // Text that does not print it stays text.
    expect(engine.renderValue('made {{steps.make.output.name}}', over)).toBe('made box');
    // renderString gives the preview.
    expect(engine.renderString('id {{steps.make.output.id}}', over)).toBe('id (known after run: id of the new thing box)');
  });

  it('passes it through default and list, joins it into text, decides and/or without it when it can, and is unknown otherwise', () => {
    expect(engine.renderValue('{{default steps.make.output.id "none"}}', over)).toBe(id);
    expect(String(engine.renderValue('{{concat "x-" steps.make.output.id}}', over))).toBe('x-(known after run: id of the new thing box)');
    expect(engine.renderValue('{{or true steps.make.output.id}}', over)).toBe(true);
    expect(engine.renderValue('{{and false steps.make.output.id}}', over)).toBe(false);
    const compared = engine.renderValue('{{eq steps.make.output.id "id-box"}}', over);
    expect(isKnownAfterRun(compared) && compared.description).toBe('"eq" of the id of the new thing box');
    expect(isKnownAfterRun(engine.renderValue('{{#if steps.make.output.id}}yes{{else}}no{{/if}}', over))).toBe(true);
  });

  it('makes a condition that reads it decided at run time, not false', () => {
    expect(() => evaluateCondition({ '==': [{ var: 'steps.make.output.id' }, 'id-box'] }, over)).toThrow(DecidedAtRunTime);
    expect(() => evaluateCondition({ var: 'steps.make.output.id.length' }, over)).toThrow(/the id of the new thing box, known only after the run/);
    // A condition decided without reading it is decided now.
    expect(evaluateCondition({ or: [true, { var: 'steps.make.output.id' }] }, over)).toBe(true);
    expect(evaluateCondition({ '!!': [{ var: 'steps.make.output.name' }] }, over)).toBe(true);
  });
});

describe('planRun with values known only after the run', () => {
  const wf = workflow([
    step('make', 'test.thing.create', { with: { name: '{{inputs.name}}' } }),
    // Declares the id as a parameter it can plan with: planned with the thing the plan knows.
    step('tag', 'test.thing.tag', { with: { id: '{{steps.make.output.id}}', tag: 'blue' } }),
    // Does not: reported as known only after the run, not as an error.
    step('echo', 'test.value.echo', { with: { value: 'thing {{steps.make.output.id}}' } }),
    // Its parameter is checked when it is known (count must be an integer), the rest now.
    step('typed', 'test.typed.take', { with: { count: '{{steps.make.output.id}}' } }),
    step('decided', 'test.value.echo', { if: { '==': [{ var: 'steps.make.output.id' }, 'id-box'] }, with: { value: 1 } }),
    step('after', 'test.value.echo', { with: { value: '{{steps.echo.output.value}}' } }),
  ], { inputs: { name: { type: 'string', required: true } } });

  it('plans the steps after a step that creates something, each as far as it can', async () => {
    const services = createTestServices();
    const result = await plan(wf, services, { name: 'box' });
    expect(result.steps.map((s) => [s.id, s.status])).toEqual([
      ['make', 'would_run'],
      ['tag', 'would_run'],
      ['echo', 'known_after_run'],
      ['typed', 'known_after_run'],
      ['decided', 'would_run'],
      ['after', 'cannot_preview'],
    ]);
    expect(result.steps[1]).toMatchObject({ summary: 'would tag the new thing box blue', changes: [{ target: 'the new thing box', operation: 'add_tag', after: 'blue' }] });
    expect(result.steps[2]?.reason).toBe('parameters known only after the run: value (text with the id of the new thing box)');
    expect(result.steps[3]?.reason).toBe('parameters known only after the run: count (id of the new thing box)');
    expect(result.steps[4]?.decidedAtRunTime).toBe('decided at run time: the condition reads steps.make.output.id, the id of the new thing box, known only after the run');
    expect(result.steps[5]?.reason).toContain('depends on step "echo"');
    expect(result.totalChanges).toBe(2);
    expect(result.failed).toBeUndefined();
    // Nothing was made, and the plan's JSON shows the values in a shape of their own.
    expect(services.world.things.size).toBe(0);
    expect(JSON.parse(JSON.stringify(result)).steps[2]).toMatchObject({ status: 'known_after_run' });

    const text = renderPlan(result, 'plain');
    expect(text).toContain('  tag  [test.thing.tag]  1 change · would tag the new thing box blue');
    expect(text).toContain('  echo  [test.value.echo]  would run; parameters known only after the run: value (text with the id of the new thing box)');
    expect(text).toContain('      if: decided at run time: the condition reads steps.make.output.id, the id of the new thing box, known only after the run; planned as if it holds');
    expect(text).toContain('2 changes in 6 steps, 2 with parameters known only after the run, 1 decided at run time, 1 cannot be previewed. Nothing was changed.');
  });

  it('plans with the real value once it exists: a plan after the run knows the id', async () => {
    const services = createTestServices();
    const made = workflow([wf.steps[0]!, wf.steps[1]!], { inputs: wf.inputs });
    const outcome = await startRun(startRequest(made, services, { inputs: { name: 'box' } }), services);
    expect(outcome.status).toBe('succeeded');
    expect(services.world.things.get('box')).toEqual(['blue']);
    const result = await plan(made, services, { name: 'box' });
    expect(result.steps.map((s) => [s.id, s.status, s.summary])).toEqual([['make', 'would_run', undefined], ['tag', 'would_run', 'would tag thing box blue']]);
  });

  it('still refuses a parameter that is wrong now, whatever is known only after the run', async () => {
    const services = createTestServices();
    const bad = workflow([
      step('make', 'test.thing.create', { with: { name: 'box' } }),
      step('typed', 'test.typed.take', { with: { count: '{{steps.make.output.id}}', names: '{{steps.make.output.name}}' } }),
    ]);
    const result = await plan(bad, services);
    expect(result.steps[1]).toMatchObject({ status: 'error' });
    expect(result.steps[1]?.reason).toContain('"names" must be array');
    expect(result.steps[1]?.reason).not.toContain('count');
  });

  it('reports a foreach over a list known only after the run as would run', async () => {
    const services = createTestServices();
    const result = await plan(workflow([
      step('make', 'test.thing.create', { with: { name: 'box' } }),
      step('each', 'test.value.echo', { foreach: '{{steps.make.output.id}}', with: { value: '{{item}}' } }),
    ]), services);
    expect(result.steps[1]).toMatchObject({ status: 'known_after_run', reason: 'its foreach list is known only after the run (id of the new thing box)' });
  });
});
