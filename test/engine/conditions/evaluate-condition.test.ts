import { describe, expect, it } from 'vitest';
import jsonLogic from 'json-logic-js';
import { ConditionError, evaluateCondition, OPERATORS } from '../../../engine/conditions/index.js';
import type { RunData } from '../../../engine/language/types.js';
import { sampleData } from '../templating/sample-data.js';

const data = sampleData();

function failure(rule: unknown, runData: RunData = data): ConditionError {
  try {
    evaluateCondition(rule, runData);
  } catch (error) {
    expect(error).toBeInstanceOf(ConditionError);
    return error as ConditionError;
  }
  throw new Error(`expected ${JSON.stringify(rule)} to fail`);
}

describe('evaluateCondition', () => {
  it.each<[string, unknown, boolean]>([
    ['literal true', true, true],
    ['literal false', false, false],
    ['null', null, false],
    ['zero', 0, false],
    ['empty text', '', false],
    ['text', 'x', true],
    ['an empty list is falsy', [], false],
    ['a list', [1], true],
    ['==', { '==': [{ var: 'inputs.settings.mode' }, 'disable'] }, true],
    ['== is loose', { '==': [{ var: 'inputs.days' }, '30'] }, true],
    ['=== is strict', { '===': [{ var: 'inputs.days' }, '30'] }, false],
    ['!= ', { '!=': [{ var: 'steps.lookup.status' }, 'failed'] }, true],
    ['!! of an empty list', { '!!': [{ var: 'steps.groups.output.empty' }] }, false],
    ['a var reading an empty list', { var: 'steps.groups.output.empty' }, false],
    ['!! of a list', { '!!': { var: 'steps.groups.output.groups' } }, true],
    ['steps.<id>.changed', { var: 'steps.groups.changed' }, true],
    ['and', { and: [{ var: 'inputs.notify' }, { '>': [{ var: 'inputs.days' }, 29] }] }, true],
    ['or', { or: [{ var: 'inputs.empty' }, { var: 'inputs.nothing' }] }, false],
    ['if', { if: [{ var: 'inputs.empty' }, false, { '==': [{ var: 'run.initiated_by' }, 'admin'] }] }, true],
    ['in a list', { in: ['b', { var: 'inputs.tags' }] }, true],
    ['in a text', { in: ['company', { var: 'inputs.reason' }] }, true],
    ['a list index', { '==': [{ var: 'steps.groups.output.groups.1.name' }, 'VPN'] }, true],
    ['a list length', { '==': [{ var: 'steps.groups.output.groups.length' }, 2] }, true],
    ['var default for an absent value', { '==': [{ var: ['inputs.absent', 'dflt'] }, 'dflt'] }, true],
    ['var default not used for null', { '===': [{ var: ['inputs.nothing', 'dflt'] }, null] }, true],
    // Null-safe comparisons: a missing value is never smaller or greater (stock JSON-logic says null < 2).
    ['< with an absent side', { '<': [{ var: 'inputs.absent' }, 2] }, false],
    ['< with null', { '<': [{ var: 'inputs.nothing' }, 2] }, false],
    ['<= null null', { '<=': [null, null] }, false],
    ['> with null', { '>': [{ var: 'inputs.nothing' }, -1] }, false],
    ['>= with an absent side', { '>=': [0, { var: 'inputs.absent' }] }, false],
    ['between with an absent middle', { '<': [1, { var: 'inputs.absent' }, 3] }, false],
    ['between', { '<': [1, { var: 'steps.lookup.output.count' }, 5] }, true],
    ['<= between', { '<=': [3, { var: 'steps.lookup.output.count' }, 3] }, true],
    ['> numbers', { '>': [{ var: 'inputs.days' }, 29] }, true],
    ['>= texts', { '>=': ['2026-05-02', { var: 'run.started_at' }] }, true],
    ['< zero is still compared', { '<': [{ var: 'vars.retention_days' }, 1] }, true],
    // Reads are own properties only.
    ['inherited toString reads nothing', { var: 'inputs.toString' }, false],
    ['inherited hasOwnProperty reads nothing', { '!!': { var: 'inputs.hasOwnProperty' } }, false],
    ['constructor reads nothing', { var: 'inputs.constructor' }, false],
    ['__proto__ reads nothing', { '!!': { var: 'inputs.__proto__' } }, false],
    ['a computed constructor path reads nothing', { '!!': { var: { cat: ['inputs.', 'constructor'] } } }, false],
    ['a property of text reads nothing', { var: 'inputs.reason.length' }, false],
    ['a missing object on the path reads nothing', { '==': [{ var: 'steps.nope.output.x' }, null] }, true],
    // Operators over lists: var reads the item.
    ['some', { some: [{ var: 'steps.groups.output.groups' }, { '==': [{ var: 'name' }, 'VPN'] }] }, true],
    ['all of an empty list', { all: [{ var: 'steps.groups.output.empty' }, true] }, false],
    ['none', { none: [{ var: 'steps.groups.output.groups' }, { '==': [{ var: 'id' }, 'g9'] }] }, true],
    ['map and in', { in: ['Admins', { map: [{ var: 'steps.groups.output.groups' }, { var: 'name' }] }] }, true],
    ['filter', { in: ['g2', { map: [{ filter: [{ var: 'steps.groups.output.groups' }, { '==': [{ var: 'name' }, 'VPN'] }] }, { var: 'id' }] }] }, true],
    ['filter leaves out', { in: ['g1', { map: [{ filter: [{ var: 'steps.groups.output.groups' }, { '==': [{ var: 'name' }, 'VPN'] }] }, { var: 'id' }] }] }, false],
    ['reduce', { '==': [{ reduce: [[1, 2, 3], { '+': [{ var: 'current' }, { var: 'accumulator' }] }, 0] }, 6] }, true],
    // missing / missing_some.
    ['missing finds the absent, null and empty', { '==': [{ cat: { missing: ['inputs.days', 'inputs.absent', 'inputs.nothing', 'inputs.empty'] } }, 'inputs.absent,inputs.nothing,inputs.empty'] }, true],
    ['nothing missing', { '!': { missing: ['inputs.days', 'inputs.reason'] } }, true],
    ['missing_some satisfied', { missing_some: [1, ['inputs.absent', 'inputs.days']] }, false],
    // idflow's string operators.
    ['starts_with', { starts_with: [{ var: 'inputs.name' }, "O'"] }, true],
    ['ends_with', { ends_with: [{ var: 'vars.it_email' }, '@example.com'] }, true],
    ['starts_with needs text', { starts_with: [5, '5'] }, false],
    ['starts_with of an absent value', { starts_with: [{ var: 'inputs.absent' }, ''] }, false],
    ['lower', { '==': [{ lower: { var: 'inputs.settings.mode' } }, 'disable'] }, true],
    ['upper', { '==': [{ upper: 'abc' }, 'ABC'] }, true],
    ['lower leaves non-text alone', { '===': [{ lower: 5 }, 5] }, true],
  ])('%s', (_name, rule, expected) => {
    expect(evaluateCondition(rule, data)).toBe(expected);
  });

  it('never reads an own "constructor" or "__proto__" that came with the data', () => {
    const hostile = { ...data, inputs: JSON.parse('{"constructor": 1, "__proto__": {"admin": true}, "prototype": 1}') as Record<string, unknown> };
    expect(evaluateCondition({ var: 'inputs.constructor' }, hostile)).toBe(false);
    expect(evaluateCondition({ var: 'inputs.__proto__.admin' }, hostile)).toBe(false);
    expect(evaluateCondition({ var: 'inputs.prototype' }, hostile)).toBe(false);
  });

  it('installs its operators in json-logic-js once, for every user in the process', () => {
    evaluateCondition(true, data);
    expect(jsonLogic.apply({ var: 'a.constructor' }, { a: {} })).toBeNull();
    expect(() => jsonLogic.apply({ log: 'x' }, {})).toThrow('Unrecognized operation log');
    expect(jsonLogic.apply({ '<': [null, 1] }, {})).toBe(false);
  });
});

describe('evaluateCondition refuses rules that are not valid', () => {
  it.each<[unknown, string]>([
    [{ frob: [1] }, 'The condition {"frob":[1]} is not valid: unknown operator "frob" (at /frob)'],
    [{ log: 'x' }, 'The condition {"log":"x"} is not valid: unknown operator "log" (at /log)'],
    [{ and: [true, { '=': [1, 1] }] }, 'The condition {"and":[true,{"=":[1,1]}]} is not valid: unknown operator "=" (at /and/1/=)'],
    [{ '==': [1] }, 'The condition {"==":[1]} is not valid: "==" takes 2 arguments, got 1 (at /==)'],
    [{ and: [true, { a: 1, b: 2 }] }, 'The condition {"and":[true,{"a":1,"b":2}]} is not valid: an object with 2 keys (a, b) is not a rule: a rule is an object with exactly one key, its operator, e.g. {"==": [{"var": "inputs.mode"}, "delete"]} (at /and/1)'],
    [{}, 'The condition {} is not valid: an empty object is not a rule: a rule is an object with exactly one key, its operator, e.g. {"==": [{"var": "inputs.mode"}, "delete"]}'],
  ])('%j', (rule, message) => {
    const error = failure(rule);
    expect(error.message).toBe(message);
    expect(error.code).toBe('CONDITION_EVAL');
    expect(error.retryable).toBe(false);
  });

  it('shortens a long rule in the message', () => {
    const rule = { frob: ['x'.repeat(200)] };
    expect(failure(rule).message).toBe(`The condition ${JSON.stringify(rule).slice(0, 120)}… is not valid: unknown operator "frob" (at /frob)`);
  });
});

describe('the operator table', () => {
  it.each([...OPERATORS.entries()])('%s is documented and known to json-logic-js', (name, spec) => {
    expect(spec.summary.length).toBeGreaterThan(5);
    const args = name === 'missing_some' ? [1, ['inputs.days']] : Array.from({ length: Math.max(spec.min, 1) }, () => 1);
    expect(typeof evaluateCondition({ [name]: spec.max === 0 ? [] : args.slice(0, Math.max(spec.min, Math.min(args.length, spec.max))) }, data)).toBe('boolean');
  });
});
