import { describe, expect, it } from 'vitest';
import { checkParamsBeforeRun } from '../../../engine/runner/check-params-early.js';
import { planRun } from '../../../engine/runner/plan-run.js';
import { startRun } from '../../../engine/runner/start-run.js';
import { createRunLogger } from '../../../engine/logging/run-logger.js';
import { ValidationError } from '../../../engine/errors/index.js';
import type { RunData, Workflow } from '../../../engine/language/types.js';
import { createTestServices } from './support/services.js';
import { step, workflow } from './support/workflow.js';
import { startRequest } from './support/request.js';

function data(values: { inputs?: Record<string, unknown>; vars?: Record<string, unknown>; event?: Record<string, unknown> } = {}): RunData {
  return { inputs: values.inputs ?? {}, vars: values.vars ?? {}, event: values.event ?? {}, steps: {}, run: { id: 'r-1', workflow_id: 'test-workflow', started_at: '2026-01-01T00:00:00.000Z', initiated_by: 'tester', dry_run: false } };
}

/** The problems the check finds (path and message), or [] when it lets the run start. */
function problemsOf(wf: Workflow, runData: RunData, services = createTestServices(), template?: { path: string; text: string }): Array<{ path: string; message: string; line?: number }> {
  try {
    checkParamsBeforeRun(wf, runData, services, template);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('INVALID_PARAMS');
    return (error as ValidationError).problems.map((p) => ({ path: p.path, message: p.message, ...(template ? { line: p.line } : {}) }));
  }
}

const lookup = step('lookup', 'test.value.echo', { with: { value: 'john' } });

describe('checkParamsBeforeRun', () => {
  it('refuses a parameter from a variable outside its range, naming the step, the parameter and the value', () => {
    const wf = workflow([lookup, step('deactivate', 'test.range.take', { with: { user: '{{steps.lookup.output.value}}', days: '{{vars.retention_days}}' } })]);
    expect(problemsOf(wf, data({ vars: { retention_days: -3 } }))).toEqual([
      { path: '/steps/1/with/days', message: 'step "deactivate" (test.range.take): parameter "days" must be >= 0, got -3' },
    ]);
    expect(problemsOf(wf, data({ vars: { retention_days: 30 } }))).toEqual([]);
  });

  it('checks inputs, the event and formats inside lists, every problem at once', () => {
    const wf = workflow([
      step('a', 'test.range.take', { with: { user: '{{event.user}}', mode: '{{inputs.mode}}', to: '{{inputs.to}}' } }),
      step('b', 'test.typed.take', { with: { count: '{{event.count}}' } }),
    ]);
    expect(problemsOf(wf, data({ inputs: { mode: 'remove', to: ['it@company.com', 'nobody'] }, event: { user: 'john', count: 'many' } }))).toEqual([
      { path: '/steps/0/with/mode', message: 'step "a" (test.range.take): parameter "mode" must be one of "disable", "delete", got "remove"' },
      { path: '/steps/0/with/to', message: 'step "a" (test.range.take): parameter "to": "to.1" must match format "email"' },
      { path: '/steps/1/with/count', message: 'step "b" (test.typed.take): parameter "count" must be integer, got the string "many"' },
    ]);
  });

  it('points at the parameter in the template when it has the text', () => {
    const text = ['id: test-workflow', 'name: T', 'steps:', '  - id: deactivate', '    action: test.range.take', '    with:', '      user: john', '      days: "{{vars.retention_days}}"', ''].join('\n');
    const wf = workflow([step('deactivate', 'test.range.take', { with: { user: 'john', days: '{{vars.retention_days}}' } })]);
    expect(problemsOf(wf, data({ vars: { retention_days: -1 } }), createTestServices(), { path: 'offboard.yaml', text })).toEqual([
      { path: '/steps/0/with/days', message: 'step "deactivate" (test.range.take): parameter "days" must be >= 0, got -1', line: 8 },
    ]);
  });

  it('leaves to the step what depends on earlier steps, on foreach items, or on a rule relating parameters', () => {
    const wf = workflow([
      lookup,
      // mode is only known at run time: the if/then rule over mode and days cannot be judged now.
      step('later', 'test.range.take', { with: { user: 'john', days: 5, mode: '{{steps.lookup.output.value}}' } }),
      step('each', 'test.typed.take', { foreach: '{{inputs.list}}', with: { count: '{{item}}' } }),
    ]);
    expect(problemsOf(wf, data({ inputs: { list: ['x'] } }))).toEqual([]);
  });

  it('skips steps whose known "if" is false, and the whole workflow when its known "when" is false', () => {
    const bad = step('bad', 'test.range.take', { with: { user: 'john', days: '{{vars.days}}' }, if: { var: 'inputs.go' } });
    expect(problemsOf(workflow([bad]), data({ inputs: { go: false }, vars: { days: -1 } }))).toEqual([]);
    expect(problemsOf(workflow([bad]), data({ inputs: { go: true }, vars: { days: -1 } }))).toHaveLength(1);
    const gated = workflow([{ ...bad, if: undefined } as never], { when: { var: 'inputs.go' } });
    expect(problemsOf(gated, data({ inputs: { go: false }, vars: { days: -1 } }))).toEqual([]);
  });

  it('leaves a step whose "if" reads earlier steps to run time: the condition may guard against the value', () => {
    const to = '{{vars.it}}';
    const guarded = (condition: unknown) => workflow([lookup, step('notify', 'test.range.take', { with: { user: 'it', to }, if: condition })]);
    const noRecipients = data({ vars: { it: ['nobody'], none: false } });
    // Only the run can tell whether the step runs: not checked.
    expect(problemsOf(guarded({ var: 'steps.lookup.output.value' }), noRecipients)).toEqual([]);
    // An "and" with a part known false now: the step never runs.
    expect(problemsOf(guarded({ and: [{ var: 'vars.none' }, { var: 'steps.lookup.output.value' }] }), noRecipients)).toEqual([]);
    // An "and" whose known parts hold still depends on the run.
    expect(problemsOf(guarded({ and: [{ '!': [{ var: 'vars.none' }] }, { var: 'steps.lookup.output.value' }] }), noRecipients)).toEqual([]);
    // Without the guard, the bad address is refused now.
    expect(problemsOf(workflow([lookup, step('notify', 'test.range.take', { with: { user: 'it', to } })]), noRecipients)).toHaveLength(1);
  });

  it('reports a value that renders to nothing, or a template that cannot render, only for a step that surely runs', () => {
    const sure = step('sure', 'test.range.take', { with: { user: '{{inputs.user}}' } });
    const maybe = step('maybe', 'test.range.take', { with: { user: '{{inputs.user}}' }, if: { var: 'steps.lookup.output.value' } });
    expect(problemsOf(workflow([lookup, sure, maybe]), data({ inputs: { user: null } }))).toEqual([
      { path: '/steps/1/with/user', message: 'step "sure" (test.range.take): parameter "user" is required, but its template rendered to nothing' },
    ]);
    const broken = step('broken', 'test.range.take', { with: { user: '{{upper inputs.user.name}}' } });
    const found = problemsOf(workflow([broken]), data({ inputs: { user: 'john' } }));
    expect(found.map((p) => p.path)).toEqual(['/steps/0/with/user']);
    expect(found[0]?.message).toMatch(/^step "broken", parameter "user": /);
    expect(problemsOf(workflow([{ ...broken, if: { var: 'steps.lookup.output.value' } }]), data({ inputs: { user: 'john' } }))).toEqual([]);
  });

  it('checks on_failure steps for bad values, never for what renders to nothing', () => {
    const wf = workflow([lookup], { on_failure: [step('alert', 'test.range.take', { with: { user: '{{inputs.user}}', to: '{{vars.it}}' } })] });
    expect(problemsOf(wf, data({ inputs: { user: null }, vars: { it: ['not-an-email'] } }))).toEqual([
      { path: '/on_failure/0/with/to', message: 'step "alert" (test.range.take): parameter "to": "to.0" must match format "email"' },
    ]);
  });

  it('never quotes a value rendered with the secret helper', () => {
    const services = createTestServices({ secrets: { DAYS: 'not-a-number-s3cret' } });
    const wf = workflow([step('s', 'test.range.take', { with: { user: 'john', mode: '{{secret "DAYS"}}' } })]);
    const [problem] = problemsOf(wf, data(), services);
    expect(problem?.message).toBe('step "s" (test.range.take): parameter "mode" must be equal to one of the allowed values');
    expect(problem?.message).not.toContain('s3cret');
  });
});

describe('the check where runs and plans start', () => {
  const wf = workflow([
    step('first', 'test.value.echo', { with: { value: 'x', key: 'first' } }),
    step('deactivate', 'test.range.take', { with: { user: '{{steps.first.output.value}}', mode: 'disable', days: '{{vars.retention_days}}' } }),
  ]);

  it('startRun refuses before the first step: no action ran, no run record, no lock kept', async () => {
    const services = createTestServices();
    await expect(startRun(startRequest({ ...wf, subject: 'john' }, services, { vars: { retention_days: -3 } }), services)).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    expect(services.world.calls.size).toBe(0);
    expect(services.store.listRuns()).toEqual([]);
    // The subject was never locked: a good run for it starts at once.
    const outcome = await startRun(startRequest({ ...wf, subject: 'john' }, services, { vars: { retention_days: 3 } }), services);
    expect(outcome.status).toBe('succeeded');
    expect(services.world.calls.get('ranged')).toBe(1);
  });

  it('planRun refuses the same way, without asking any action for a plan', async () => {
    const services = createTestServices();
    const logger = createRunLogger({ runId: 'plan-1', workflowId: wf.id, redactor: services.redactor, console: { stream: services.console.stream, mode: 'silent' } });
    try {
      await expect(planRun({ workflow: wf, data: data({ vars: { retention_days: -3 } }), logger, signal: new AbortController().signal }, services)).rejects.toMatchObject({
        code: 'INVALID_PARAMS',
        problems: [{ path: '/steps/1/with/days' }],
      });
    } finally {
      await logger.close();
    }
    expect(services.world.plans).toBe(0);
  });
});
