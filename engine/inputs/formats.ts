import type { Ajv } from 'ajv';
import { createAjv } from '../schema/ajv.js';

let ajv: Ajv | undefined;

/**
 * True when `text` has the named format, checked by the same ajv-formats definitions that
 * validate action parameters (so an input and a parameter agree on what an email is).
 * Unknown formats accept everything: the schema refuses format names outside its `format`
 * enum, and a test checks that ajv-formats knows every name in it.
 */
export function matchesFormat(format: string, text: string): boolean {
  ajv ??= createAjv();
  const definition: unknown = ajv.formats[format];
  if (definition instanceof RegExp) return definition.test(text);
  if (typeof definition === 'function') return Boolean((definition as (value: string) => unknown)(text));
  if (typeof definition === 'object' && definition !== null) {
    const validate = (definition as { validate?: unknown }).validate;
    if (validate instanceof RegExp) return validate.test(text);
    if (typeof validate === 'function') return Boolean((validate as (value: string) => unknown)(text));
  }
  return true;
}
