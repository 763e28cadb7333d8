import { describe, expect, it } from 'vitest';
import { checkCondition } from '../../../engine/conditions/index.js';
import type { LocalProblem } from '../../../engine/diagnostics/problem.js';
import { sampleScope } from '../templating/sample-data.js';

const scope = sampleScope();
const INPUTS = 'declared inputs: name, reason, days, notify, tags, settings';
const NOT_A_RULE = 'is not a rule: a rule is an object with exactly one key, its operator, e.g. {"==": [{"var": "inputs.mode"}, "delete"]}';

function p(code: string, message: string, path: string, suggestion?: string): LocalProblem {
  return { code, message, severity: 'error', path, ...(suggestion === undefined ? {} : { suggestion }) };
}

describe('checkCondition accepts', () => {
  it.each<[unknown]>([
    [true],
    ['text'],
    [null],
    [[]],
    [{ '==': [{ var: 'inputs.settings.mode' }, 'delete'] }],
    [{ and: [{ var: 'inputs.notify' }, { '!': { var: 'steps.lookup.output.user.suspended' } }] }],
    [{ '<': [0, { var: 'steps.lookup.output.count' }, 10] }],
    [{ if: [{ var: 'vars.retention_days' }, 'keep', 'delete'] }],
    [{ var: ['inputs.days', 30] }],
    [{ var: '' }],
    [{ var: [] }],
    [{ in: [{ var: 'run.initiated_by' }, ['admin', 'hr']] }],
    [{ some: [{ var: 'steps.groups.output.groups' }, { '==': [{ var: 'name' }, 'VPN'] }] }],
    [{ reduce: [{ var: 'inputs.tags' }, { cat: [{ var: 'accumulator' }, { var: 'current' }] }, ''] }],
    [{ missing: ['inputs.name', 'vars.it_email'] }],
    [{ missing: [['inputs.name', 'steps.lookup.status']] }],
    [{ missing_some: [1, ['inputs.name', 'inputs.reason']] }],
    [{ '==': [{ var: 'steps.groups.changed' }, true] }],
    [{ starts_with: [{ lower: { var: 'event.type' } }, 'hr.'] }],
    [{ var: { cat: ['inputs.', 'name'] } }],
  ])('%j', (rule) => {
    expect(checkCondition(rule, scope)).toEqual([]);
  });

  it('accepts item and index inside a foreach step', () => {
    expect(checkCondition({ '==': [{ var: 'item.email' }, { var: 'index' }] }, sampleScope({ item: true }))).toEqual([]);
  });
});

describe('checkCondition reports, at the JSON pointer inside the rule', () => {
  it.each<[unknown, LocalProblem[]]>([
    [{ '=': [{ var: 'inputs.name' }, 'x'] }, [p('unknown-operator', 'unknown operator "="', '/=', 'Did you mean "===" (or the loose "==")?')]],
    [{ and: [true, { equals: [1, 1] }] }, [p('unknown-operator', 'unknown operator "equals"', '/and/1/equals', 'Did you mean "==="?')]],
    [{ '||': [true, false] }, [p('unknown-operator', 'unknown operator "||"', '/||', 'Did you mean "or"?')]],
    [{ contains: [{ var: 'inputs.tags' }, 'a'] }, [p('unknown-operator', 'unknown operator "contains"', '/contains', 'Did you mean "in" (e.g. {"in": ["admin", {"var": "inputs.roles"}]})?')]],
    [{ '=>': [1, 2] }, [p('unknown-operator', 'unknown operator "=>"', '/=>')]],
    [{ or: [{ starts_wth: ['a', 'b'] }] }, [p('unknown-operator', 'unknown operator "starts_wth"', '/or/0/starts_wth', 'Did you mean "starts_with"?')]],
    [{ log: 'x' }, [p('unknown-operator', 'unknown operator "log"', '/log', '"log" is disabled in idflow: it would write to the console')]],
    [{ method: [{ var: 'inputs.name' }, 'toUpperCase'] }, [p('unknown-operator', 'unknown operator "method"', '/method', '"method" does not exist in JSON-logic 2 (it could call any method of the data)')]],
    [{ '==': [1] }, [p('operator-arity', '"==" takes 2 arguments, got 1', '/==')]],
    [{ and: [true, { '==': [1, 2, 3] }] }, [p('operator-arity', '"==" takes 2 arguments, got 3', '/and/1/==')]],
    [{ '!': [1, 2] }, [p('operator-arity', '"!" takes 1 argument, got 2', '/!')]],
    [{ if: [] }, [p('operator-arity', '"if" takes at least 1 argument, got 0', '/if')]],
    [{ substr: ['abc'] }, [p('operator-arity', '"substr" takes 2 to 3 arguments, got 1', '/substr')]],
    [{ '<': [1, 2, 3, 4] }, [p('operator-arity', '"<" takes 2 to 3 arguments, got 4', '/<')]],
    [{ '/': [1] }, [p('operator-arity', '"/" takes 2 arguments, got 1', '/~1')]],
    [{ map: [{ var: 'inputs.tags' }] }, [p('operator-arity', '"map" takes 2 arguments, got 1', '/map')]],
    [{ a: 1, b: 2 }, [p('condition-not-a-rule', `an object with 2 keys (a, b) ${NOT_A_RULE}`, '')]],
    [{ '==': [{ var: 'inputs.settings' }, { mode: 'x', other: 1 }] }, [p('condition-not-a-rule', `an object with 2 keys (mode, other) ${NOT_A_RULE}`, '/==/1')]],
    [{ '!': {} }, [p('condition-not-a-rule', `an empty object ${NOT_A_RULE}`, '/!')]],
    [{ '==': [{ var: 'input.name' }, 'x'] }, [p('unknown-reference', '"input" is not something a template or condition can read (the data has: inputs, vars, event, steps, run)', '/==/0/var', 'Did you mean "inputs"?')]],
    [{ var: 'inputs.nmae' }, [p('undeclared-input', `input "nmae" is not declared (${INPUTS})`, '/var', 'Did you mean "name"?')]],
    [{ var: ['inputs.nmae', 'default'] }, [p('undeclared-input', `input "nmae" is not declared (${INPUTS})`, '/var/0', 'Did you mean "name"?')]],
    [{ '!!': { var: 'vars.it_mail' } }, [p('undeclared-var', 'variable "it_mail" is not declared (declared vars: it_email, retention_days)', '/!!/var', 'Did you mean "it_email"?')]],
    [{ '==': [{ var: 'steps.notify.status' }, 'succeeded'] }, [p('later-step', 'step "notify" runs later, so its output is not available here', '/==/0/var')]],
    [{ var: 'steps.lokup.output.user' }, [p('unknown-step', 'there is no step "lokup"', '/var', 'Did you mean "lookup"?')]],
    [{ var: 'steps.lookup.outputs.user' }, [p('unknown-step-field', 'steps.lookup has no field "outputs" (it has: output, status, changed)', '/var', 'Did you mean "output"?')]],
    [{ var: 'run.initiator' }, [p('unknown-run-field', 'run has no field "initiator" (it has: id, workflow_id, started_at, initiated_by, reason, dry_run)', '/var')]],
    [{ var: 'item.email' }, [p('item-outside-foreach', '"item" is only available in the with: of a step that has foreach (its if: is evaluated once, before the items)', '/var')]],
    [{ missing: ['inputs.name', 'inputs.nmae'] }, [p('undeclared-input', `input "nmae" is not declared (${INPUTS})`, '/missing/1', 'Did you mean "name"?')]],
    [{ missing: 'vars.x' }, [p('undeclared-var', 'variable "x" is not declared (declared vars: it_email, retention_days)', '/missing')]],
    [{ missing: [['inputs.nmae']] }, [p('undeclared-input', `input "nmae" is not declared (${INPUTS})`, '/missing/0/0', 'Did you mean "name"?')]],
    [{ missing_some: [1, ['inputs.name', 'steps.notify.output']] }, [p('later-step', 'step "notify" runs later, so its output is not available here', '/missing_some/1/1')]],
    // The list argument of map/filter/… is checked; the rule applied to each item is relative to the item.
    [{ some: [{ var: 'steps.lokup.output.groups' }, { '==': [{ var: 'nmae' }, 'x'] }] }, [p('unknown-step', 'there is no step "lokup"', '/some/0/var', 'Did you mean "lookup"?')]],
    [{ reduce: [{ var: 'inputs.tags' }, { '+': [{ var: 'current' }, { var: 'acc' }] }, { var: 'inputs.dys' }] }, [
      p('unknown-reference', 'inside "reduce", "var" reads "current" (the item) or "accumulator", not "acc"', '/reduce/1/+/1/var', 'Did you mean "accumulator"?'),
      p('undeclared-input', `input "dys" is not declared (${INPUTS})`, '/reduce/2/var', 'Did you mean "days"?'),
    ]],
    [{ var: 'inputs.constructor' }, [p('forbidden-property', '"constructor" can never be read (it would reach a prototype)', '/var')]],
    [{ map: [[1], { var: '__proto__' }] }, [p('forbidden-property', '"__proto__" can never be read (it would reach a prototype)', '/map/1/var')]],
    [{ and: [{ '==': [1] }, { var: 'inputs.nmae' }, { frob: [] }] }, [
      p('operator-arity', '"==" takes 2 arguments, got 1', '/and/0/=='),
      p('unknown-operator', 'unknown operator "frob"', '/and/2/frob'),
      p('undeclared-input', `input "nmae" is not declared (${INPUTS})`, '/and/1/var', 'Did you mean "name"?'),
    ]],
  ])('%j', (rule, expected) => {
    expect(checkCondition(rule, scope)).toEqual(expected);
  });
});
