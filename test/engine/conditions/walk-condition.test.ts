import { describe, expect, it } from 'vitest';
import { conditionReferences, ConditionError, evaluateCondition } from '../../../engine/conditions/index.js';
import { walkCondition, walkConditionOnce } from '../../../engine/conditions/walk-condition.js';
import { sampleData } from '../templating/sample-data.js';

describe('walkConditionOnce', () => {
  it('walks a rule object once and gives the same read-only walk for it after, equal to a fresh walk', () => {
    const rule = { and: [{ '==': [{ var: 'inputs.mode' }, 'delete'] }, { var: 'vars.it_email' }] };
    const first = walkConditionOnce(rule);
    expect(walkConditionOnce(rule)).toBe(first);
    expect(first).toEqual(walkCondition(rule));
    expect(Object.isFrozen(first.paths)).toBe(true);
    expect(() => (first.paths as unknown[]).push({})).toThrow(TypeError);
    expect(conditionReferences(rule)).toEqual(['inputs.mode', 'vars.it_email']);
  });

  it('walks another object anew, even with the same content, and literal rules each time', () => {
    const rule = { var: 'inputs.a' };
    const same = { var: 'inputs.a' };
    expect(walkConditionOnce(same)).not.toBe(walkConditionOnce(rule));
    expect(walkConditionOnce(same)).toEqual(walkConditionOnce(rule));
    expect(walkConditionOnce(true)).toEqual({ problems: [], paths: [] });
  });

  it('leaves an invalid rule refused on every evaluation, not only the first', () => {
    const rule = { frob: [1] };
    for (let i = 0; i < 2; i++) {
      expect(() => evaluateCondition(rule, sampleData())).toThrow(ConditionError);
      expect(() => evaluateCondition(rule, sampleData())).toThrow('unknown operator "frob"');
    }
  });
});
