import { describe, expect, it } from 'vitest';
import { compileRegex, compileSearchBody } from '../../../../../actions/jumpcloud/emulator/http/search-filter.js';

const records = [
  { name: 'Alpha Team', size: 3, active: true },
  { name: 'Beta Team', size: 10, active: false },
  { name: 'gamma', size: 7, active: true },
];
const names = (predicate: (r: unknown) => boolean): string[] => records.filter((r) => predicate(r)).map((r) => r.name);

describe('search body', () => {
  it('turns leading inline flags into regex flags and honours $options', () => {
    expect(compileRegex('(?i)^abc$', undefined, 'x').flags).toBe('i');
    expect(compileRegex('(?is)a.b', undefined, 'x').flags).toBe('is');
    expect(compileRegex('^abc$', 'im', 'x').flags).toBe('im');
    expect(() => compileRegex('x'.repeat(1001), undefined, 'x')).toThrow('longer than 1000');
  });

  it('nests and/or inside expressions and compares with $gt/$lt on the same types only', () => {
    const predicate = compileSearchBody({ filter: { and: [{ or: [{ name: 'gamma' }, { size: { $lt: 5 } }] }, { active: true }] } });
    expect(names(predicate)).toEqual(['Alpha Team', 'gamma']);
    expect(names(compileSearchBody({ filter: [{ size: { $gt: '5' } }] }))).toEqual([]);
    expect(names(compileSearchBody({ filter: [{ missing: null }] }))).toHaveLength(3);
    expect(names(compileSearchBody({ filter: [{ size: { $nin: [3, 10] } }] }))).toEqual(['gamma']);
  });

  it('refuses malformed bodies with a 400 naming the place', () => {
    expect(() => compileSearchBody({ filter: { and: 'x' } })).toThrow('filter.and must be an array of expressions');
    expect(() => compileSearchBody({ filter: ['x'] })).toThrow('filter[0] must be an object');
    expect(() => compileSearchBody({ searchFilter: { searchTerm: 3 } })).toThrow('searchFilter.searchTerm must be a string');
  });
});
