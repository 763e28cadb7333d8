import type { ValueDeclaration } from '../language/types.js';

/** A form's fields as posted (`application/x-www-form-urlencoded`, parsed). */
export type FormBody = Readonly<Record<string, string | string[] | undefined>>;

/** One choice of a select or radio group. */
export interface FieldOption {
  value: string;
  label: string;
  selected: boolean;
}

/** One input of the start form, ready for the `inputField` partial. */
export interface FormField {
  name: string;
  /** The element id (`input-<name>`, made safe); its help text is `<htmlId>-help`. */
  htmlId: string;
  kind: 'input' | 'checkbox' | 'radio' | 'select' | 'textarea';
  /** For `input`: text, email, url, number, date or password. */
  inputType?: string;
  required: boolean;
  description?: string;
  /** For `input`: the help text (the description, and what the value must look like). */
  help?: string;
  /** For `textarea`: how to write a list or an object. */
  hint?: string;
  value?: string;
  checked?: boolean;
  options?: FieldOption[];
  step?: string;
  min?: number;
  max?: number;
}

/** A value the form could not turn into an input, and which input. */
export interface FormProblem {
  where: string;
  message: string;
}

/** Radio buttons up to this many choices (all visible at once); a select beyond. */
const MAX_RADIOS = 4;

/**
 * The start form's fields for a workflow's inputs: the input type from the declared type and
 * format, choices from `enum` (radio buttons, or a select when there are many), booleans as a
 * checkbox (or yes/no/not given when the input has no default), lists and objects as a text
 * area, secrets as password fields (never filled in again). Values come from `given` (a form
 * posted back with a problem) or else the declared defaults.
 */
export function inputFields(inputs: Readonly<Record<string, ValueDeclaration>>, given?: FormBody): FormField[] {
  return Object.entries(inputs).map(([name, declaration]) => fieldFor(name, declaration, given));
}

function fieldFor(name: string, declaration: ValueDeclaration, given: FormBody | undefined): FormField {
  const posted = given === undefined ? undefined : lastValue(given[name]);
  const required = declaration.required === true;
  const base = {
    name,
    htmlId: `input-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`,
    required,
    ...(declaration.description === undefined ? {} : { description: declaration.description }),
  };
  if (declaration.enum !== undefined && declaration.enum.length > 0) {
    const current = posted ?? (declaration.default === undefined ? '' : String(declaration.default));
    const options: FieldOption[] = declaration.enum.map((value) => ({ value: String(value), label: String(value), selected: String(value) === current }));
    const radio = options.length <= MAX_RADIOS;
    // An optional choice can be left out (the workflow's own default then applies).
    if (!required && declaration.default === undefined) options.unshift({ value: '', label: radio ? 'not given' : '(not given)', selected: current === '' });
    return { ...base, kind: radio ? 'radio' : 'select', options };
  }
  if (declaration.type === 'boolean') {
    if (declaration.default !== undefined || required) {
      const checked = posted === undefined ? (given === undefined ? declaration.default === true : false) : isYes(posted);
      return { ...base, kind: 'checkbox', checked };
    }
    const current = posted ?? '';
    return { ...base, kind: 'radio', options: [{ value: '', label: 'not given', selected: current === '' }, { value: 'true', label: 'yes', selected: isYes(current) }, { value: 'false', label: 'no', selected: current === 'false' }] };
  }
  if (declaration.type === 'array' || declaration.type === 'object') {
    const value = posted ?? (declaration.default === undefined ? '' : declaration.type === 'array' && isStringList(declaration.default) ? declaration.default.join('\n') : JSON.stringify(declaration.default, null, 2));
    const hint = declaration.type === 'array' && (declaration.items?.type ?? 'string') !== 'object' && declaration.items?.type !== 'array' ? 'One item per line (or a JSON list).' : `A JSON ${declaration.type === 'array' ? 'list' : 'object'}.`;
    return { ...base, kind: 'textarea', value, hint };
  }
  const numeric = declaration.type === 'number' || declaration.type === 'integer';
  const inputType = declaration.secret === true ? 'password' : numeric ? 'number' : FORMAT_INPUT_TYPES[declaration.format ?? ''] ?? 'text';
  const value = declaration.secret === true ? '' : posted ?? (declaration.default === undefined ? '' : String(declaration.default));
  const shape = [
    declaration.format === undefined || inputType !== 'text' ? '' : `Format: ${declaration.format}.`,
    declaration.pattern === undefined ? '' : `Must match ${declaration.pattern}.`,
    declaration.secret === true ? 'A secret: kept out of the run record and the logs.' : '',
  ].filter((part) => part !== '');
  const help = [declaration.description, ...shape].filter((part) => part !== undefined && part !== '').join(' ');
  return {
    ...base,
    kind: 'input',
    inputType,
    value,
    ...(help === '' ? {} : { help }),
    ...(numeric ? { step: declaration.type === 'integer' ? '1' : 'any' } : {}),
    ...(declaration.minimum === undefined ? {} : { min: declaration.minimum }),
    ...(declaration.maximum === undefined ? {} : { max: declaration.maximum }),
  };
}

const FORMAT_INPUT_TYPES: Readonly<Record<string, string>> = { email: 'email', uri: 'url', url: 'url', date: 'date' };

/**
 * The inputs a posted start form gives, typed as the workflow declares them: empty fields are
 * left out (the declared default applies), numbers and booleans converted, lists one item per
 * line or JSON, objects JSON. A value that cannot be converted is passed on as written, so that
 * the workflow's own input check says what is wrong with it; JSON that does not parse is a
 * problem named by its input.
 */
export function inputsFromForm(inputs: Readonly<Record<string, ValueDeclaration>>, body: FormBody): { inputs: Record<string, unknown>; problems: FormProblem[] } {
  const values: Record<string, unknown> = {};
  const problems: FormProblem[] = [];
  for (const [name, declaration] of Object.entries(inputs)) {
    const raw = lastValue(body[name]);
    if (declaration.type === 'boolean' && declaration.enum === undefined) {
      if (raw === undefined || raw === '') {
        // An unchecked checkbox sends nothing: it means "no".
        if (declaration.default !== undefined || declaration.required === true) values[name] = false;
        continue;
      }
      values[name] = raw === 'false' ? false : isYes(raw) ? true : raw;
      continue;
    }
    if (raw === undefined) continue;
    const text = declaration.secret === true ? raw : raw.trim();
    if (text === '') continue;
    if (declaration.enum !== undefined) {
      const chosen = declaration.enum.find((value) => String(value) === text);
      values[name] = chosen === undefined ? text : chosen;
      continue;
    }
    switch (declaration.type) {
      case 'number':
      case 'integer': {
        const number = Number(text);
        values[name] = Number.isFinite(number) ? number : text;
        break;
      }
      case 'array':
        if (text.startsWith('[')) parseJson(name, text, values, problems);
        else {
          const itemType = declaration.items?.type;
          values[name] = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '').map((line) => (itemType === 'number' || itemType === 'integer') && Number.isFinite(Number(line)) ? Number(line) : itemType === 'boolean' ? (line === 'true' ? true : line === 'false' ? false : line) : line);
        }
        break;
      case 'object':
        parseJson(name, text, values, problems);
        break;
      default:
        values[name] = text;
    }
  }
  return { inputs: values, problems };
}

/**
 * What the plan page carries to the Run button: every posted input as written, except secret
 * inputs, which are not put in the page (the person types them again), so a secret never
 * travels back to the browser.
 */
export function carriedInputs(inputs: Readonly<Record<string, ValueDeclaration>>, body: FormBody): { carried: Array<{ name: string; value: string }>; secrets: FormField[] } {
  const carried: Array<{ name: string; value: string }> = [];
  const secrets: FormField[] = [];
  for (const [name, declaration] of Object.entries(inputs)) {
    if (declaration.secret === true) {
      secrets.push(fieldFor(name, declaration, undefined));
      continue;
    }
    const raw = lastValue(body[name]);
    if (declaration.type === 'boolean' && declaration.enum === undefined) {
      // A checkbox left unchecked is carried as "no", not dropped.
      const fallback = declaration.default !== undefined || declaration.required === true ? 'false' : '';
      carried.push({ name, value: raw === undefined || raw === '' ? fallback : isYes(raw) ? 'true' : raw });
      continue;
    }
    if (raw !== undefined) carried.push({ name, value: raw });
  }
  return { carried, secrets };
}

function parseJson(name: string, text: string, values: Record<string, unknown>, problems: FormProblem[]): void {
  try {
    values[name] = JSON.parse(text) as unknown;
  } catch (error) {
    problems.push({ where: name, message: `is not valid JSON: ${(error as Error).message}` });
  }
}

function lastValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function isYes(value: string): boolean {
  return value === 'true' || value === 'on' || value === 'yes';
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
