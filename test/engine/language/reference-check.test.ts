import { describe, expect, it } from 'vitest';
import { checkReference } from '../../../engine/language/reference-check.js';
import { RUN_FIELDS, type ReferenceScope } from '../../../engine/language/scope.js';

const scope: ReferenceScope = {
  inputs: new Set(['user_email', 'reason']),
  vars: new Set(['jumpcloud_org_id', 'jumpcloud_removal_mode']),
  stepsBefore: new Set(['lookup', 'suspend']),
  allSteps: new Set(['lookup', 'suspend', 'notify_manager']),
  event: true,
  item: false,
  runFields: RUN_FIELDS,
};

describe('checkReference accepts', () => {
  it.each([
    [[]],
    [['inputs']],
    [['inputs', 'user_email']],
    [['inputs', 'reason', 'anything', 'deeper']],
    [['vars', 'jumpcloud_org_id']],
    [['steps']],
    [['steps', 'lookup']],
    [['steps', 'lookup', 'output', 'user', 'id']],
    [['steps', 'suspend', 'status']],
    [['steps', 'suspend', 'changed']],
    [['run', 'started_at']],
    [['event', 'employee', 'id']],
  ])('%j', (path) => {
    expect(checkReference(path, scope)).toBeUndefined();
  });

  it('accepts item and index inside foreach', () => {
    expect(checkReference(['item', 'email'], { ...scope, item: true })).toBeUndefined();
    expect(checkReference(['index'], { ...scope, item: true })).toBeUndefined();
  });
});

describe('checkReference reports', () => {
  it.each([
    [['input', 'user_email'], { code: 'unknown-reference', message: '"input" is not something a template or condition can read (the data has: inputs, vars, event, steps, run)', suggestion: 'Did you mean "inputs"?' }],
    [['secrets', 'x'], { code: 'unknown-reference', message: '"secrets" is not something a template or condition can read (the data has: inputs, vars, event, steps, run)', suggestion: 'Secrets are never data: in a template, read one with {{secret "name"}}' }],
    [['env', 'HOME'], { code: 'unknown-reference', message: '"env" is not something a template or condition can read (the data has: inputs, vars, event, steps, run)', suggestion: 'The environment is not data: declare an organisation variable under vars (set in idflow.config.yaml), or read a secret with {{secret "NAME"}}' }],
    [['inputs', 'user_mail'], { code: 'undeclared-input', message: 'input "user_mail" is not declared (declared inputs: user_email, reason)', suggestion: 'Did you mean "user_email"?' }],
    [['inputs', 'manager'], { code: 'undeclared-input', message: 'input "manager" is not declared (declared inputs: user_email, reason)' }],
    [['vars', 'jumpcloud_org'], { code: 'undeclared-var', message: 'variable "jumpcloud_org" is not declared (declared vars: jumpcloud_org_id, jumpcloud_removal_mode)', suggestion: 'Did you mean "jumpcloud_org_id"?' }],
    [['steps', 'notify_manager', 'output'], { code: 'later-step', message: 'step "notify_manager" runs later, so its output is not available here' }],
    [['steps', 'lokup', 'output'], { code: 'unknown-step', message: 'there is no step "lokup"', suggestion: 'Did you mean "lookup"?' }],
    [['steps', 'delete_user'], { code: 'unknown-step', message: 'there is no step "delete_user"' }],
    [['steps', 'lookup', 'outputs'], { code: 'unknown-step-field', message: 'steps.lookup has no field "outputs" (it has: output, status, changed)', suggestion: 'Did you mean "output"?' }],
    [['steps', 'lookup', 'result'], { code: 'unknown-step-field', message: 'steps.lookup has no field "result" (it has: output, status, changed)' }],
    [['run', 'user'], { code: 'unknown-run-field', message: 'run has no field "user" (it has: id, workflow_id, started_at, initiated_by, reason, dry_run)' }],
    [['run', 'start_at'], { code: 'unknown-run-field', message: 'run has no field "start_at" (it has: id, workflow_id, started_at, initiated_by, reason, dry_run)', suggestion: 'Did you mean "started_at"?' }],
    [['item', 'email'], { code: 'item-outside-foreach', message: '"item" is only available in the with: of a step that has foreach (its if: is evaluated once, before the items)' }],
    [['index'], { code: 'item-outside-foreach', message: '"index" is only available in the with: of a step that has foreach (its if: is evaluated once, before the items)' }],
    [['inputs', 'constructor'], { code: 'forbidden-property', message: '"constructor" can never be read (it would reach a prototype)' }],
    [['steps', 'lookup', 'output', '__proto__'], { code: 'forbidden-property', message: '"__proto__" can never be read (it would reach a prototype)' }],
    [['prototype'], { code: 'forbidden-property', message: '"prototype" can never be read (it would reach a prototype)' }],
  ])('%j', (path, expected) => {
    expect(checkReference(path, scope)).toEqual(expected);
  });

  it('reports event when the place has none', () => {
    expect(checkReference(['event', 'x'], { ...scope, event: false })).toEqual({ code: 'event-unavailable', message: '"event" is not available here' });
  });

  it('suggests item only where it exists', () => {
    expect(checkReference(['itme'], scope)?.suggestion).toBeUndefined();
    expect(checkReference(['itme'], { ...scope, item: true })?.suggestion).toBe('Did you mean "item"?');
  });
});
