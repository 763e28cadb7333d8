import { describe, expect, it } from 'vitest';
import { closestMatches, didYouMean, editDistance } from '../../../engine/diagnostics/suggest.js';

describe('editDistance', () => {
  it.each([
    ['steps', 'steps', 0],
    ['stpes', 'steps', 1],
    ['timout', 'timeout', 1],
    ['LOG', 'log', 0],
    ['', 'abc', 3],
  ])('%s → %s is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});

describe('closestMatches', () => {
  const actions = ['log', 'jumpcloud.user.backup', 'jumpcloud.user.lookup', 'jumpcloud.user.deactivate', 'jumpcloud.user.ldap.unbind'];

  it.each([
    ['a typo in a word', 'stpes', ['id', 'name', 'steps', 'inputs'], ['steps']],
    ['a missing letter', 'timout', ['timeout', 'retry'], ['timeout']],
    ['a swap in a short word', 'lgo', actions, ['log']],
    ['a typo after a long shared prefix', 'jumpcloud.user.deactvate', actions, ['jumpcloud.user.deactivate']],
    // The shared "jumpcloud.user." does not make every other action close.
    ['nothing close after a long shared prefix', 'jumpcloud.user.suspnd', actions, []],
    // A suggestion keeps at least one character of what was typed.
    ['nothing close to a short name', 'zz', ['a', 'b', 'c'], []],
    ['one edit in a short name', 'log', ['lt', 'lte', 'not', 'json'], []],
    ['two edits in a longer name', 'start_at', ['id', 'started_at'], ['started_at']],
    ['a candidate containing what was typed', 'lookup', actions, ['jumpcloud.user.lookup']],
    ['best first, at most three', 'dat', ['data', 'date', 'dates', 'bat', 'cat'], ['bat', 'cat', 'data']],
  ])('%s', (_name, typed, candidates, expected) => {
    expect(closestMatches(typed, candidates)).toEqual(expected);
  });
});

describe('didYouMean', () => {
  it('lists one, two or three candidates, or nothing', () => {
    expect(didYouMean('stpes', ['steps'])).toBe('Did you mean "steps"?');
    expect(didYouMean('nam', ['name', 'names'])).toBe('Did you mean "name" or "names"?');
    expect(didYouMean('zz', ['a'])).toBeUndefined();
  });
});
