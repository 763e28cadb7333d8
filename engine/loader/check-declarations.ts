import type { DeclaredType, ValueDeclaration } from '../language/types.js';
import { checkValue } from '../inputs/check-value.js';
import { compilePattern } from '../inputs/pattern.js';
import type { Issue } from './issue.js';
import { childPointer } from '../diagnostics/json-pointer.js';
import { isRecord } from './workflow-data.js';

const TYPES: ReadonlySet<string> = new Set(['string', 'boolean', 'number', 'integer', 'array', 'object']);

/**
 * Checks that each input and variable declaration agrees with itself: its `default` and every
 * `enum` value satisfy its type, format, pattern, range and items; `format` and `pattern` only
 * on strings, `minimum` and `maximum` only on numbers, `items` only on arrays; `minimum` is not
 * above `maximum`; `pattern` is a regular expression that compiles. (A wrong default would
 * otherwise only fail the first run that relies on it.)
 */
export function checkDeclarations(data: unknown): Issue[] {
  if (!isRecord(data)) return [];
  const issues: Issue[] = [];
  for (const kind of ['inputs', 'vars'] as const) {
    const map = data[kind];
    if (!isRecord(map)) continue;
    const noun = kind === 'inputs' ? 'input' : 'variable';
    for (const [name, raw] of Object.entries(map)) {
      const declaration = usableDeclaration(raw);
      if (!declaration || !isRecord(raw)) continue;
      const pointer = childPointer(childPointer('', kind), name);
      const label = `${noun} "${name}"`;
      issues.push(...checkShape(raw, declaration, pointer, label));
      if (Array.isArray(raw['enum'])) {
        raw['enum'].forEach((value: unknown, index) => {
          const { enum: _ignored, ...withoutEnum } = declaration;
          for (const issue of checkValue(value, withoutEnum, `value ${index + 1} of the enum of ${label}`)) {
            issues.push({ pointer: `${pointer}/enum/${index}${issue.path}`, code: 'invalid-enum', message: issue.message, ...(issue.suggestion ? { suggestion: issue.suggestion } : {}) });
          }
        });
      }
      if (raw['default'] !== undefined && raw['default'] !== null) {
        for (const issue of checkValue(raw['default'], declaration, `the default of ${label}`)) {
          issues.push({ pointer: `${pointer}/default${issue.path}`, code: 'invalid-default', message: issue.message, ...(issue.suggestion ? { suggestion: issue.suggestion } : {}) });
        }
        if (raw['required'] === true) {
          issues.push({ pointer: `${pointer}/required`, code: 'unused-default', severity: 'warning', message: `${label} is required, so its default is never used`, suggestion: 'Remove "required: true" or the default' });
        }
      }
    }
  }
  return issues;
}

const NUMERIC: ReadonlySet<string> = new Set(['number', 'integer']);

/** The keywords of one declaration (or of its `items`, at any depth) that do not fit it. */
function checkShape(raw: Record<string, unknown>, declaration: ValueDeclaration, pointer: string, label: string): Issue[] {
  const issues: Issue[] = [];
  const misplaced = (key: string, applies: string): void => {
    issues.push({ pointer: `${pointer}/${key}`, at: 'key', code: 'invalid-declaration', message: `"${key}" only applies to ${applies}, but ${label} is of type ${declaration.type}` });
  };
  if (raw['format'] !== undefined && declaration.type !== 'string') misplaced('format', 'strings');
  if (raw['pattern'] !== undefined && declaration.type !== 'string') misplaced('pattern', 'strings');
  if (raw['minimum'] !== undefined && !NUMERIC.has(declaration.type)) misplaced('minimum', 'numbers');
  if (raw['maximum'] !== undefined && !NUMERIC.has(declaration.type)) misplaced('maximum', 'numbers');
  if (raw['items'] !== undefined && declaration.type !== 'array') misplaced('items', 'lists');
  if (typeof raw['pattern'] === 'string') {
    const compiled = compilePattern(raw['pattern']);
    if (!compiled.ok) {
      issues.push({
        pointer: `${pointer}/pattern`, code: 'invalid-pattern',
        message: `the pattern of ${label} is not a valid regular expression: ${compiled.message}`,
        suggestion: 'Write it in JavaScript regular expression syntax, e.g. "^[A-Z]{2}-[0-9]+$"; escape a literal "(", "[" or "\\" with a backslash',
      });
    }
  }
  if (typeof raw['minimum'] === 'number' && typeof raw['maximum'] === 'number' && raw['minimum'] > raw['maximum']) {
    issues.push({ pointer: `${pointer}/minimum`, code: 'invalid-declaration', message: `the minimum of ${label} (${raw['minimum']}) is above its maximum (${raw['maximum']}), so no value can satisfy it` });
  }
  if (declaration.type === 'array' && isRecord(raw['items'])) {
    const items = usableDeclaration(raw['items']);
    if (items) issues.push(...checkShape(raw['items'], items, `${pointer}/items`, `the items of ${label}`));
  }
  return issues;
}

/** The parts of a declaration that are well-formed enough to check values against. */
function usableDeclaration(raw: unknown): ValueDeclaration | undefined {
  if (!isRecord(raw) || typeof raw['type'] !== 'string' || !TYPES.has(raw['type'])) return undefined;
  const declaration: ValueDeclaration = { type: raw['type'] as DeclaredType };
  if (Array.isArray(raw['enum'])) declaration.enum = raw['enum'];
  if (typeof raw['format'] === 'string' && declaration.type === 'string') declaration.format = raw['format'];
  if (typeof raw['pattern'] === 'string' && declaration.type === 'string' && compilePattern(raw['pattern']).ok) declaration.pattern = raw['pattern'];
  if (typeof raw['minimum'] === 'number' && NUMERIC.has(declaration.type)) declaration.minimum = raw['minimum'];
  if (typeof raw['maximum'] === 'number' && NUMERIC.has(declaration.type)) declaration.maximum = raw['maximum'];
  if (raw['secret'] === true) declaration.secret = true;
  if (declaration.type === 'array' && raw['items'] !== undefined) {
    const items = usableDeclaration(raw['items']);
    if (items) declaration.items = items;
  }
  return declaration;
}
