import { describe, expect, it } from 'vitest';
import { carriedInputs, inputFields, inputsFromForm } from '../../../engine/console/input-form.js';
import type { ValueDeclaration } from '../../../engine/language/types.js';

const INPUTS: Record<string, ValueDeclaration> = {
  email: { type: 'string', required: true, format: 'email', description: 'Who' },
  mode: { type: 'string', enum: ['disable', 'delete'] },
  size: { type: 'string', enum: ['xs', 's', 'm', 'l', 'xl'], default: 'm' },
  notify: { type: 'boolean', default: true },
  urgent: { type: 'boolean' },
  days: { type: 'integer', minimum: 0, maximum: 90, default: 30 },
  groups: { type: 'array', items: { type: 'string' } },
  counts: { type: 'array', items: { type: 'integer' } },
  extra: { type: 'object' },
  token: { type: 'string', secret: true, description: 'An API token' },
};

describe('inputFields', () => {
  it('chooses each field by type, format and choices, with defaults filled', () => {
    const fields = Object.fromEntries(inputFields(INPUTS).map((field) => [field.name, field]));
    expect(fields['email']).toMatchObject({ kind: 'input', inputType: 'email', required: true, value: '', help: 'Who' });
    expect(fields['mode']).toMatchObject({ kind: 'radio', options: [{ value: '', label: 'not given', selected: true }, { value: 'disable', selected: false }, { value: 'delete', selected: false }] });
    expect(fields['size']?.kind).toBe('select');
    expect(fields['size']?.options?.find((option) => option.selected)?.value).toBe('m');
    expect(fields['notify']).toMatchObject({ kind: 'checkbox', checked: true });
    expect(fields['urgent']).toMatchObject({ kind: 'radio', options: [{ label: 'not given' }, { label: 'yes' }, { label: 'no' }] });
    expect(fields['days']).toMatchObject({ kind: 'input', inputType: 'number', step: '1', min: 0, max: 90, value: '30' });
    expect(fields['groups']).toMatchObject({ kind: 'textarea', hint: 'One item per line (or a JSON list).' });
    expect(fields['extra']).toMatchObject({ kind: 'textarea', hint: 'A JSON object.' });
    expect(fields['token']).toMatchObject({ kind: 'input', inputType: 'password', value: '', help: 'An API token A secret: kept out of the run record and the logs.' });
  });

  it('shows what was posted again, never a secret', () => {
    const fields = Object.fromEntries(inputFields(INPUTS, { email: 'a@b.c', notify: undefined, token: 's3cret', mode: 'delete' }).map((field) => [field.name, field]));
    expect(fields['email']?.value).toBe('a@b.c');
    expect(fields['notify']?.checked).toBe(false);
    expect(fields['token']?.value).toBe('');
    expect(fields['mode']?.options?.find((option) => option.selected)?.value).toBe('delete');
  });
});

describe('inputsFromForm', () => {
  it('types each value as declared, leaving empty fields out', () => {
    const { inputs, problems } = inputsFromForm(INPUTS, { email: ' a@b.c ', mode: '', size: 'xl', days: '7', groups: 'Engineering\n\n VPN Users \n', counts: '1\n2', extra: '{"a":1}', token: ' keep spaces ' });
    expect(problems).toEqual([]);
    expect(inputs).toEqual({ email: 'a@b.c', size: 'xl', notify: false, days: 7, groups: ['Engineering', 'VPN Users'], counts: [1, 2], extra: { a: 1 }, token: ' keep spaces ' });
  });

  it('passes on what cannot be converted for the input check to name, and names JSON that does not parse', () => {
    const { inputs, problems } = inputsFromForm(INPUTS, { days: 'soon', urgent: 'true', groups: '["a", "b"]', extra: '{oops' });
    expect(inputs).toMatchObject({ days: 'soon', urgent: true, groups: ['a', 'b'] });
    expect(problems).toEqual([{ where: 'extra', message: expect.stringMatching(/^is not valid JSON: /) }]);
  });
});

describe('carriedInputs', () => {
  it('carries every input as written to the Run button, an unchecked box as "no", and asks for secrets again', () => {
    const { carried, secrets } = carriedInputs(INPUTS, { email: 'a@b.c', groups: 'x\ny', token: 's3cret' });
    expect(carried).toEqual([{ name: 'email', value: 'a@b.c' }, { name: 'notify', value: 'false' }, { name: 'urgent', value: '' }, { name: 'groups', value: 'x\ny' }]);
    expect(secrets.map((field) => [field.name, field.inputType, field.value])).toEqual([['token', 'password', '']]);
    expect(inputsFromForm(INPUTS, Object.fromEntries(carried.map(({ name, value }) => [name, value])))).toEqual({ inputs: { email: 'a@b.c', notify: false, groups: ['x', 'y'] }, problems: [] });
  });
});
