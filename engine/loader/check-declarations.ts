import type { DeclaredType, ValueDeclaration } from '../language/types.js';
import { checkValue } from '../inputs/check-value.js';
import type { Issue } from './issue.js';
import { childPointer } from '../diagnostics/json-pointer.js';
import { isRecord } from './workflow-data.js';

const TYPES: ReadonlySet<string> = new Set(['string', 'boolean', 'number', 'integer', 'array', 'object']);

/**
 * Checks that each input and variable declaration agrees with itself: its `default` and every
 * `enum` value satisfy its type, format and items; `format` only on strings, `items` only on
 * arrays. (A wrong default would otherwise only fail the first run that relies on it.)
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
      if (raw['format'] !== undefined && declaration.type !== 'string') {
        issues.push({ pointer: `${pointer}/format`, at: 'key', code: 'invalid-declaration', message: `"format" only applies to strings, but ${label} is of type ${declaration.type}` });
      }
      if (raw['items'] !== undefined && declaration.type !== 'array') {
        issues.push({ pointer: `${pointer}/items`, at: 'key', code: 'invalid-declaration', message: `"items" only applies to lists, but ${label} is of type ${declaration.type}` });
      }
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

/** The parts of a declaration that are well-formed enough to check values against. */
function usableDeclaration(raw: unknown): ValueDeclaration | undefined {
  if (!isRecord(raw) || typeof raw['type'] !== 'string' || !TYPES.has(raw['type'])) return undefined;
  const declaration: ValueDeclaration = { type: raw['type'] as DeclaredType };
  if (Array.isArray(raw['enum'])) declaration.enum = raw['enum'];
  if (typeof raw['format'] === 'string' && declaration.type === 'string') declaration.format = raw['format'];
  if (raw['secret'] === true) declaration.secret = true;
  if (declaration.type === 'array' && raw['items'] !== undefined) {
    const items = usableDeclaration(raw['items']);
    if (items) declaration.items = items;
  }
  return declaration;
}
