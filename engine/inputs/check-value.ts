import { isDeepStrictEqual } from 'node:util';
import type { DeclaredType, ValueDeclaration } from '../language/types.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { matchesFormat } from './formats.js';
import { matchesPattern } from './pattern.js';
import { describeValue, formatText, show, TYPE_WORDS } from '../loader/schema-issues.js';

/** One way a value does not satisfy its declaration. */
export interface ValueIssue {
  /** JSON pointer inside the value (`""` for the value itself, `/2` for its third item). */
  path: string;
  code: 'wrong-type' | 'invalid-value' | 'invalid-format' | 'out-of-range' | 'pattern-mismatch';
  message: string;
  suggestion?: string;
}

/** `a string`, `a whole number`, … */
export function typeWords(type: DeclaredType): string {
  return TYPE_WORDS[type];
}

/** True when `value` has the declared type (integers are numbers too; NaN and Infinity are not). */
export function hasDeclaredType(value: unknown, type: DeclaredType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

/**
 * Checks a value against an input or variable declaration: type, `enum`, `format`, `pattern`,
 * `minimum` and `maximum`, and for arrays each item against `items`.
 *
 * @param label - names the value in messages, e.g. `input "removal_mode"`.
 * @remarks Values of `secret` declarations are never quoted in messages.
 */
export function checkValue(value: unknown, declaration: Omit<ValueDeclaration, 'required' | 'default'>, label: string, path = ''): ValueIssue[] {
  const shown = declaration.secret ? 'a secret value' : describeValue(value);
  if (!hasDeclaredType(value, declaration.type)) {
    return [{ path, code: 'wrong-type', message: `${label} must be ${typeWords(declaration.type)}; got ${shown}` }];
  }
  const issues: ValueIssue[] = [];
  if (declaration.enum && !declaration.enum.some((allowed) => sameValue(allowed, value))) {
    const strings = declaration.enum.filter((allowed): allowed is string => typeof allowed === 'string');
    const suggestion = typeof value === 'string' && !declaration.secret ? didYouMean(value, strings) : undefined;
    issues.push({ path, code: 'invalid-value', message: `${label} must be one of ${declaration.enum.map(show).join(', ')}; got ${shown}`, ...(suggestion ? { suggestion } : {}) });
  }
  if (declaration.format && typeof value === 'string' && !matchesFormat(declaration.format, value)) {
    issues.push({ path, code: 'invalid-format', message: `${label} must be ${formatText(declaration.format)}; got ${shown}` });
  }
  if (declaration.pattern !== undefined && typeof value === 'string' && !matchesPattern(declaration.pattern, value)) {
    issues.push({ path, code: 'pattern-mismatch', message: `${label} must match the pattern ${JSON.stringify(declaration.pattern)}; got ${shown}` });
  }
  if (typeof value === 'number') {
    if (declaration.minimum !== undefined && value < declaration.minimum) {
      issues.push({ path, code: 'out-of-range', message: `${label} must be at least ${declaration.minimum}; got ${shown}` });
    }
    if (declaration.maximum !== undefined && value > declaration.maximum) {
      issues.push({ path, code: 'out-of-range', message: `${label} must be at most ${declaration.maximum}; got ${shown}` });
    }
  }
  if (declaration.items && Array.isArray(value)) {
    value.forEach((item, index) => {
      issues.push(...checkValue(item, declaration.items as ValueDeclaration, `item ${index + 1} of ${label}`, `${path}/${index}`));
    });
  }
  return issues;
}

/** Equality for enum membership: primitives by value, lists and maps by content (in any key order). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return isDeepStrictEqual(a, b);
}
