import { describe, expect, it } from 'vitest';
import { caseInsensitiveExact, escapeRegex } from '../../../../actions/jumpcloud/client/search-filter.js';

describe('escapeRegex', () => {
  it('escapes every metacharacter so a value matches only itself', () => {
    const value = 'a.b+c*d?e^f$g|h(i)j[k]l{m}n\\o';
    expect(escapeRegex(value)).toBe('a\\.b\\+c\\*d\\?e\\^f\\$g\\|h\\(i\\)j\\[k\\]l\\{m\\}n\\\\o');
    expect(new RegExp(`^${escapeRegex(value)}$`).test(value)).toBe(true);
    expect(new RegExp(`^${escapeRegex('john.smith')}$`).test('johnXsmith')).toBe(false);
  });

  it('leaves characters alone that are only special inside a class', () => {
    expect(escapeRegex('first-last/x@company.com')).toBe('first-last/x@company\\.com');
  });
});

describe('caseInsensitiveExact', () => {
  it("builds the (?i) exact-match regex JumpCloud's PowerShell module sends", () => {
    expect(caseInsensitiveExact('John.Smith+it@company.com')).toEqual({ $regex: '(?i)(^John\\.Smith\\+it@company\\.com$)' });
  });
});
