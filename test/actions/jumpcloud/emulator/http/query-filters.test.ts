import { describe, expect, it } from 'vitest';
import { parseV1Filter, parseV2Filter } from '../../../../../actions/jumpcloud/emulator/http/query-filters.js';
import { ApiError } from '../../../../../actions/jumpcloud/emulator/http/api-error.js';

const records = [
  { name: 'Alpha Team', size: 3, created: '2024-01-01', tags: ['a', 'b'], active: true },
  { name: 'Beta Team', size: 10, created: '2024-06-01', tags: [], active: false },
  { name: 'gamma', size: 7, created: '2025-01-01', active: true },
];
const names = (predicate: ((r: unknown) => boolean) | undefined): string[] => records.filter((r) => predicate?.(r) ?? true).map((r) => r.name);

describe('v2 query filters', () => {
  it('compares with eq, ne, gt, ge, lt, le, coercing to the field type', () => {
    expect(names(parseV2Filter(['size:gt:3']))).toEqual(['Beta Team', 'gamma']);
    expect(names(parseV2Filter(['size:ge:7']))).toEqual(['Beta Team', 'gamma']);
    expect(names(parseV2Filter(['size:lt:7']))).toEqual(['Alpha Team']);
    expect(names(parseV2Filter(['size:le:7']))).toEqual(['Alpha Team', 'gamma']);
    expect(names(parseV2Filter(['active:eq:false']))).toEqual(['Beta Team']);
    expect(names(parseV2Filter(['name:ne:gamma']))).toEqual(['Alpha Team', 'Beta Team']);
  });

  it('supports in (|), between (|), search (case-insensitive) and * wildcards', () => {
    expect(names(parseV2Filter(['name:in:gamma|Beta Team']))).toEqual(['Beta Team', 'gamma']);
    expect(names(parseV2Filter(['created:between:2024-03-01|2024-12-31']))).toEqual(['Beta Team']);
    expect(names(parseV2Filter(['name:search:TEAM']))).toEqual(['Alpha Team', 'Beta Team']);
    expect(names(parseV2Filter(['name:eq:*Team']))).toEqual(['Alpha Team', 'Beta Team']);
    // "Supports wild cards" holds for in's values too.
    expect(names(parseV2Filter(['name:in:gam*|Alpha*']))).toEqual(['Alpha Team', 'gamma']);
    expect(names(parseV2Filter(['name:in:nothing']))).toEqual([]);
  });

  it('ANDs several filters, repeated or comma-joined (values may contain commas)', () => {
    expect(names(parseV2Filter(['active:eq:true', 'size:gt:5']))).toEqual(['gamma']);
    expect(names(parseV2Filter(['active:eq:true,size:gt:5']))).toEqual(['gamma']);
    expect(parseV2Filter([])).toBeUndefined();
  });

  it('matches array fields by element (ne: no element equals)', () => {
    expect(names(parseV2Filter(['tags:eq:b']))).toEqual(['Alpha Team']);
    expect(names(parseV2Filter(['tags:ne:b']))).toEqual(['Beta Team', 'gamma']);
  });

  it('refuses v1 operators on v2 and malformed terms', () => {
    expect(() => parseV2Filter(['size:gte:3'])).toThrow(ApiError);
    expect(() => parseV2Filter(['size'])).toThrow('must have the form <field>:<operator>:<value>');
  });
});

describe('v1 query filters', () => {
  it('keeps everything after the second colon as the value', () => {
    const predicate = parseV1Filter(new URLSearchParams({ filter: 'created:$lte:2024-06-01T00:00:00Z' }));
    expect(names(predicate)).toEqual(['Alpha Team', 'Beta Team']);
  });

  it('refuses unknown filter parameter shapes', () => {
    expect(() => parseV1Filter(new URLSearchParams({ 'filter[x]': 'name:$eq:a' }))).toThrow('unsupported filter parameter "filter[x]"');
  });
});
