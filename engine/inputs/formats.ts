import type { Ajv } from 'ajv';
import { createAjv } from '../schema/ajv.js';

let ajv: Ajv | undefined;

/** The formats a declaration may name (the `format` enum of `schemas/workflow.schema.json`). */
export const DECLARED_FORMATS: readonly string[] = ['email', 'uri', 'url', 'hostname', 'ipv4', 'ipv6', 'uuid', 'date', 'time', 'date-time', 'duration', 'regex'];

/**
 * True when `text` has the named format, checked by the same ajv-formats definitions that
 * validate action parameters (so an input and a parameter agree on what an email is).
 * Unknown formats accept everything (the schema already refuses unknown format names).
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
