import { describe, expect, it } from 'vitest';
import { conditionReferences } from '../../../engine/conditions/index.js';

describe('conditionReferences', () => {
  it.each<[unknown, string[]]>([
    [true, []],
    [{ var: 'inputs.reason' }, ['inputs.reason']],
    [{ and: [{ '==': [{ var: 'steps.lookup.status' }, 'succeeded'] }, { var: ['inputs.notify', false] }, { var: 'inputs.reason' }] }, ['steps.lookup.status', 'inputs.notify', 'inputs.reason']],
    [{ or: [{ var: 'inputs.reason' }, { var: 'inputs.reason' }] }, ['inputs.reason']],
    [{ missing: ['inputs.a', 'vars.b'] }, ['inputs.a', 'vars.b']],
    [{ missing_some: [1, ['steps.x.output', 'inputs.a']] }, ['steps.x.output', 'inputs.a']],
    [{ some: [{ var: 'steps.groups.output.groups' }, { '==': [{ var: 'name' }, 'VPN'] }] }, ['steps.groups.output.groups']],
    [{ reduce: [{ var: 'inputs.tags' }, { '+': [{ var: 'current' }, { var: 'accumulator' }] }, { var: 'vars.start' }] }, ['inputs.tags', 'vars.start']],
    [{ var: '' }, []],
    [{ var: { cat: ['inputs.', 'name'] } }, []],
  ])('%j', (rule, expected) => {
    expect(conditionReferences(rule)).toEqual(expected);
  });
});
