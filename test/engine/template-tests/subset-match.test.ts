import { describe, expect, it } from 'vitest';
import { setDifferences, subsetDifferences } from '../../../engine/template-tests/subset-match.js';

describe('subsetDifferences', () => {
  const actual = { success: true, actions_taken: { account_status: 'disabled', groups_removed: 5 }, recipients: ['a@x.com', 'b@x.com'], nothing: null };

  it('accepts a subset of the keys, at any depth', () => {
    expect(subsetDifferences({ actions_taken: { groups_removed: 5 } }, actual, 'output')).toEqual([]);
    expect(subsetDifferences({}, actual, 'output')).toEqual([]);
    expect(subsetDifferences({ nothing: null, recipients: ['a@x.com', 'b@x.com'] }, actual, 'output')).toEqual([]);
  });

  it('names the path, the expected and the actual value of each difference', () => {
    expect(subsetDifferences({ success: false, actions_taken: { groups_removed: 4, 'odd key': 1 } }, actual, 'output')).toEqual([
      { path: 'output.success', expected: false, actual: true, message: 'expected false, got true' },
      { path: 'output.actions_taken.groups_removed', expected: 4, actual: 5, message: 'expected 4, got 5' },
      { path: 'output.actions_taken["odd key"]', expected: 1, message: 'expected 1, but there is no "odd key"' },
    ]);
  });

  it('compares lists entry by entry, and says which names are missing or unexpected when the lengths differ', () => {
    expect(subsetDifferences(['b@x.com', 'a@x.com'], actual.recipients, 'to')).toEqual([
      { path: 'to[0]', expected: 'b@x.com', actual: 'a@x.com', message: 'expected "b@x.com", got "a@x.com"' },
      { path: 'to[1]', expected: 'a@x.com', actual: 'b@x.com', message: 'expected "a@x.com", got "b@x.com"' },
    ]);
    expect(subsetDifferences(['a@x.com', 'c@x.com', 'd@x.com'], actual.recipients, 'to')[0]?.message).toBe('expected 3 entries, got 2 (missing "c@x.com", "d@x.com"; unexpected "b@x.com")');
    expect(subsetDifferences([], 'text', 'list')[0]?.message).toBe('expected a list of 0, got "text"');
  });

  it('does not take a string for a number, nor an object for a list', () => {
    expect(subsetDifferences({ groups_removed: '5' }, actual.actions_taken, 'x')).toHaveLength(1);
    expect(subsetDifferences({ a: 1 }, [1], 'x')[0]?.message).toBe('expected an object, got [1]');
  });
});

describe('setDifferences', () => {
  it('ignores order and names what is missing and what is unexpected', () => {
    expect(setDifferences(['b', 'a'], ['a', 'b'], 'changes')).toEqual([]);
    expect(setDifferences(['a', 'c'], ['a', 'b'], 'changes')).toEqual([{ path: 'changes', expected: ['a', 'c'], actual: ['a', 'b'], message: 'missing "c"; unexpected "b"' }]);
  });
});
