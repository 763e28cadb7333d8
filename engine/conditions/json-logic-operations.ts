import jsonLogic from 'json-logic-js';
import { safeVar } from './safe-var.js';

/**
 * idflow's changes to json-logic-js's operator set. The library keeps ONE operator registry
 * per process, so these are installed once, idempotently, when this module loads, and they
 * are the only changes anything in idflow makes to it:
 *
 * - `var` reads own properties only (see {@link safeVar}); `missing` and `missing_some` go
 *   through it too.
 * - `<`, `<=`, `>`, `>=` are null-safe: if any operand is null or absent the comparison is
 *   false. Stock JSON-logic compares null like 0, so `{"<": [{"var": "missing"}, 2]}` would be
 *   true and a typo would quietly pass a guard.
 * - `log` is removed (it writes to stdout, where the CLI prints JSON).
 * - Added: `starts_with`, `ends_with` (false unless both are text), `lower`, `upper` (text is
 *   converted, anything else returned unchanged).
 */

let installed = false;

/** Installs the operators (again is a no-op). */
export function installOperations(): void {
  if (installed) return;
  installed = true;
  jsonLogic.add_operation('var', safeVar);
  jsonLogic.rm_operation('log');
  jsonLogic.add_operation('<', (a: unknown, b: unknown, c?: unknown) => (c === undefined ? less(a, b, false) : less(a, b, false) && less(b, c, false)));
  jsonLogic.add_operation('<=', (a: unknown, b: unknown, c?: unknown) => (c === undefined ? less(a, b, true) : less(a, b, true) && less(b, c, true)));
  jsonLogic.add_operation('>', (a: unknown, b: unknown) => less(b, a, false));
  jsonLogic.add_operation('>=', (a: unknown, b: unknown) => less(b, a, true));
  jsonLogic.add_operation('starts_with', (a: unknown, b: unknown) => typeof a === 'string' && typeof b === 'string' && a.startsWith(b));
  jsonLogic.add_operation('ends_with', (a: unknown, b: unknown) => typeof a === 'string' && typeof b === 'string' && a.endsWith(b));
  jsonLogic.add_operation('lower', (a: unknown) => (typeof a === 'string' ? a.toLowerCase() : a));
  jsonLogic.add_operation('upper', (a: unknown) => (typeof a === 'string' ? a.toUpperCase() : a));
}

/** `a < b` (or `<=`) with JavaScript's comparison, but false when either side is null or absent. */
function less(a: unknown, b: unknown, orEqual: boolean): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  // Same coercions as stock json-logic-js, which compares with JavaScript's operators.
  const x = a as number;
  const y = b as number;
  return orEqual ? x <= y : x < y;
}

installOperations();
