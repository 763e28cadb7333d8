import { describe, expect, it } from 'vitest';
import type { ValueDeclaration } from '../../../engine/language/types.js';
import { resolveInputs, resolveVars } from '../../../engine/inputs/resolve-inputs.js';

const declarations: Record<string, ValueDeclaration> = {
  user_identifier: { type: 'string', required: true, format: 'email', description: "the user's email" },
  removal_mode: { type: 'string', enum: ['disable', 'delete'], default: 'disable' },
  retention_days: { type: 'integer', default: 30 },
  notify: { type: 'boolean' },
  groups: { type: 'array', items: { type: 'string' } },
  limits: { type: 'object' },
  ratio: { type: 'number' },
  api_token: { type: 'string', secret: true, enum: ['a', 'b'] },
};

const messages = (result: ReturnType<typeof resolveInputs>) => result.problems.map((p) => [p.code, p.message, p.suggestion]);

describe('resolveInputs', () => {
  it('fills defaults and sets absent optional inputs to null', () => {
    const result = resolveInputs(declarations, { user_identifier: 'john@company.com' });
    expect(result.problems).toEqual([]);
    expect(result.values).toEqual({
      user_identifier: 'john@company.com', removal_mode: 'disable', retention_days: 30, notify: null, groups: null, limits: null, ratio: null, api_token: null,
    });
  });

  it('coerces command-line strings to the declared types', () => {
    const result = resolveInputs(
      declarations,
      { user_identifier: 'a@b.co', retention_days: '90', notify: 'TRUE', groups: 'Engineering, Sales ,IT', limits: '{"max": 3}', ratio: '-1.5e1' },
      { coerceStrings: true },
    );
    expect(result.problems).toEqual([]);
    expect(result.values).toMatchObject({ retention_days: 90, notify: true, groups: ['Engineering', 'Sales', 'IT'], limits: { max: 3 }, ratio: -15 });
  });

  it('reads a JSON list for an array and the empty string as the empty list', () => {
    expect(resolveInputs({ groups: { type: 'array' } }, { groups: '["a,b", "c"]' }, { coerceStrings: true }).values).toEqual({ groups: ['a,b', 'c'] });
    expect(resolveInputs({ groups: { type: 'array' } }, { groups: '' }, { coerceStrings: true }).values).toEqual({ groups: [] });
    expect(resolveInputs({ ids: { type: 'array', items: { type: 'integer' } } }, { ids: '1, 2,3' }, { coerceStrings: true }).values).toEqual({ ids: [1, 2, 3] });
  });

  it('reports every problem, naming the input and what is wrong', () => {
    const result = resolveInputs(
      declarations,
      { removal_mode: 'disabel', retention_days: '3.5', notify: 'yes', groups: 'a', limits: '[1]', ratio: 'abc', user_identifer: 'x@y.z' },
      { coerceStrings: true },
    );
    expect(messages(result)).toEqual([
      ['unknown-input', 'unknown input "user_identifer"', 'Did you mean "user_identifier"?'],
      ['missing-input', "input \"user_identifier\" is required (the user's email) but was not given", 'Give it with --input user_identifier=<value> or in an inputs file'],
      ['invalid-value', 'input "removal_mode" must be one of "disable", "delete"; got "disabel"', 'Did you mean "disable"?'],
      ['wrong-type', 'input "retention_days" must be a whole number; got "3.5"', undefined],
      ['wrong-type', 'input "notify" must be true or false; got "yes"', undefined],
      ['wrong-type', 'input "limits" must be a map; got "[1]"', undefined],
      ['wrong-type', 'input "ratio" must be a number; got "abc"', undefined],
    ]);
    expect(result.problems.every((p) => p.file === '--input' && p.line === 0 && p.severity === 'error')).toBe(true);
    expect(result.problems.map((p) => p.path)).toEqual(['/user_identifer', '', '/removal_mode', '/retention_days', '/notify', '/limits', '/ratio']);
  });

  it('checks formats and list items, without coercion for typed values', () => {
    const result = resolveInputs(declarations, { user_identifier: 'not-an-email', groups: ['ok', 3] });
    expect(messages(result)).toEqual([
      ['invalid-format', 'input "user_identifier" must be an email address; got "not-an-email"', undefined],
      ['wrong-type', 'item 2 of input "groups" must be a string; got 3', undefined],
    ]);
    expect(result.problems[1]?.path).toBe('/groups/1');
  });

  it('never shows the value of a secret input', () => {
    const result = resolveInputs(declarations, { user_identifier: 'a@b.co', api_token: 'hunter2-secret' });
    expect(messages(result)).toEqual([['invalid-value', 'input "api_token" must be one of "a", "b"; got a secret value', undefined]]);
    expect(JSON.stringify(result.problems)).not.toContain('hunter2');
  });

  it('treats a given null as absent', () => {
    expect(resolveInputs({ mode: { type: 'string', default: 'x' } }, { mode: null }).values).toEqual({ mode: 'x' });
  });

  it('lists the inputs a workflow takes when an unknown one has no close match', () => {
    expect(messages(resolveInputs({ a: { type: 'string' } }, { zzz: '1' }))[0]).toEqual(['unknown-input', 'unknown input "zzz"', 'This workflow takes: a']);
    expect(messages(resolveInputs({}, { zzz: '1' }))[0]).toEqual(['unknown-input', 'unknown input "zzz"', 'This workflow takes no inputs']);
  });

  it('places problems where the origin says the values are', () => {
    const result = resolveInputs({ n: { type: 'integer' } }, { n: 'x' }, {
      coerceStrings: true,
      origin: { file: 'inputs.yaml', locate: (pointer) => (pointer === '/n' ? { line: 3, column: 4, length: 1 } : undefined) },
    });
    expect(result.problems[0]).toMatchObject({ file: 'inputs.yaml', line: 3, column: 4, length: 1, path: '/n' });
  });
});

describe('resolveVars', () => {
  const vars: Record<string, ValueDeclaration> = {
    jumpcloud_org_id: { type: 'string', required: true },
    jumpcloud_removal_mode: { type: 'string', enum: ['disable', 'delete'], default: 'disable' },
    jumpcloud_retention_days: { type: 'integer' },
  };

  it('takes config values, else defaults, else null; other config vars are ignored', () => {
    const result = resolveVars(vars, { jumpcloud_org_id: 'org-1', other_template_var: 5 });
    expect(result.problems).toEqual([]);
    expect(result.values).toEqual({ jumpcloud_org_id: 'org-1', jumpcloud_removal_mode: 'disable', jumpcloud_retention_days: null });
  });

  it('does not coerce strings: config values are typed YAML', () => {
    const result = resolveVars(vars, { jumpcloud_org_id: 'org-1', jumpcloud_retention_days: '30' });
    expect(messages(result)).toEqual([['wrong-type', 'variable "jumpcloud_retention_days" must be a whole number; got "30"', undefined]]);
  });

  it('says where to set a missing required variable', () => {
    expect(messages(resolveVars(vars, {}))).toEqual([['missing-var', 'variable "jumpcloud_org_id" is required but was not given', 'Set it under vars: in idflow.config.yaml']]);
  });
});

describe('enum values that are lists or maps', () => {
  it('match by content, whatever the order of keys', () => {
    const declarations = { target: { type: 'object' as const, enum: [{ kind: 'group', name: 'it' }, { kind: 'user', name: 'root' }] } };
    expect(resolveInputs(declarations, { target: { name: 'it', kind: 'group' } }).problems).toEqual([]);
    expect(resolveInputs(declarations, { target: { name: 'it', kind: 'user' } }).problems.map((p) => p.code)).toEqual(['invalid-value']);
  });
});

describe('minimum, maximum and pattern', () => {
  const ranged: Record<string, ValueDeclaration> = {
    retention_days: { type: 'integer', minimum: 0, maximum: 3650 },
    ratio: { type: 'number', minimum: 0.5 },
    ticket: { type: 'string', pattern: '^[A-Z]{2}-[0-9]+$' },
    codes: { type: 'array', items: { type: 'string', pattern: '^[a-z]+$' } },
    token: { type: 'string', secret: true, pattern: '^tok_' },
  };

  it('accepts values inside the range and matching the pattern, bounds included', () => {
    const result = resolveInputs(ranged, { retention_days: '0', ratio: '0.5', ticket: 'IT-42', codes: 'ab, c', token: 'tok_x' }, { coerceStrings: true });
    expect(result.problems).toEqual([]);
    expect(result.values).toEqual({ retention_days: 0, ratio: 0.5, ticket: 'IT-42', codes: ['ab', 'c'], token: 'tok_x' });
    expect(resolveInputs(ranged, { retention_days: 3650 }).problems).toEqual([]);
  });

  it('names the value, the bound or pattern and what was given; a secret is never quoted', () => {
    const result = resolveInputs(ranged, { retention_days: -3, ratio: 0.1, ticket: 'it-42', codes: ['ok', 'Not'], token: 'sk_live_secret' });
    expect(messages(result)).toEqual([
      ['out-of-range', 'input "retention_days" must be at least 0; got -3', undefined],
      ['out-of-range', 'input "ratio" must be at least 0.5; got 0.1', undefined],
      ['pattern-mismatch', 'input "ticket" must match the pattern "^[A-Z]{2}-[0-9]+$"; got "it-42"', undefined],
      ['pattern-mismatch', 'item 2 of input "codes" must match the pattern "^[a-z]+$"; got "Not"', undefined],
      ['pattern-mismatch', 'input "token" must match the pattern "^tok_"; got a secret value', undefined],
    ]);
    expect(result.problems.map((p) => p.path)).toEqual(['/retention_days', '/ratio', '/ticket', '/codes/1', '/token']);
    expect(messages(resolveInputs(ranged, { retention_days: 4000 }))).toEqual([['out-of-range', 'input "retention_days" must be at most 3650; got 4000', undefined]]);
  });

  it('checks organisation variables from the config the same way (the run never starts with -3 retention days)', () => {
    const result = resolveVars({ jumpcloud_retention_days: { type: 'integer', minimum: 0, default: 0 } }, { jumpcloud_retention_days: -3 });
    expect(messages(result)).toEqual([['out-of-range', 'variable "jumpcloud_retention_days" must be at least 0; got -3', undefined]]);
    expect(result.problems[0]?.file).toBe('idflow.config.yaml');
  });
});
