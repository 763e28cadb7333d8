import type { DeclaredType, ValueDeclaration } from '../language/types.js';
import { typeWords } from './check-value.js';

/** The result of reading a command-line string as a declared type. */
export type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads a string given on the command line (`--input name=value`) as the declared type:
 * - `string`: as is;
 * - `boolean`: `true` or `false` (any case);
 * - `number` / `integer`: decimal notation (`42`, `-1.5`, `1e3`); integers must be whole;
 * - `array`: JSON (`["a","b"]`) when it starts with `[`, otherwise a comma-separated list
 *   (`a@x.com, b@x.com`) whose items are trimmed and read as the `items` type (default string);
 *   the empty string is the empty list;
 * - `object`: JSON (`{"key": "value"}`).
 */
export function coerceString(text: string, declaration: Pick<ValueDeclaration, 'type' | 'items'>): Coerced {
  switch (declaration.type) {
    case 'string':
      return { ok: true, value: text };
    case 'boolean': {
      const lowered = text.trim().toLowerCase();
      if (lowered === 'true') return { ok: true, value: true };
      if (lowered === 'false') return { ok: true, value: false };
      return { ok: false, message: 'must be true or false' };
    }
    case 'number':
    case 'integer':
      return coerceNumber(text.trim(), declaration.type);
    case 'array': {
      const trimmed = text.trim();
      if (trimmed.startsWith('[')) return parseJson(trimmed, 'array');
      if (trimmed === '') return { ok: true, value: [] };
      const itemType: DeclaredType = declaration.items?.type ?? 'string';
      if (itemType === 'array' || itemType === 'object') return { ok: false, message: `must be a JSON list like [${itemType === 'object' ? '{"a": 1}' : '["a"]'}]` };
      const items: unknown[] = [];
      for (const part of trimmed.split(',')) {
        const item = coerceString(part.trim(), { type: itemType });
        if (!item.ok) return { ok: false, message: `must be a comma-separated list whose items are ${typeWords(itemType)}; the item "${part.trim()}" is not` };
        items.push(item.value);
      }
      return { ok: true, value: items };
    }
    case 'object':
      return parseJson(text.trim(), 'object');
  }
}

function coerceNumber(text: string, type: 'number' | 'integer'): Coerced {
  if (!NUMBER.test(text)) return { ok: false, message: `must be ${typeWords(type)}` };
  const value = Number(text);
  if (type === 'integer' && !Number.isInteger(value)) return { ok: false, message: 'must be a whole number' };
  return { ok: true, value };
}

function parseJson(text: string, type: 'array' | 'object'): Coerced {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `must be JSON (${type === 'array' ? 'a list like ["a", "b"]' : 'a map like {"key": "value"}'}): ${(error as Error).message}` };
  }
  const isArray = Array.isArray(value);
  const isObject = typeof value === 'object' && value !== null && !isArray;
  if (type === 'array' ? !isArray : !isObject) return { ok: false, message: `must be ${typeWords(type)}` };
  return { ok: true, value };
}
