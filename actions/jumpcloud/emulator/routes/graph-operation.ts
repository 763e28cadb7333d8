import { badRequest, type FieldViolation } from '../http/api-error.js';
import { isObjectId } from '../object-id.js';
import { isPlainObject } from '../org/user-fields.js';

/** A checked graph operation body (`GraphOperation-*`). */
export interface GraphOperation {
  op: 'add' | 'remove' | 'update';
  type: string;
  id: string;
  attributes?: Record<string, unknown>;
}

/**
 * Checks a `GraphOperation` body: `op` (add, remove, update), `id` (an ObjectId) and `type` (one
 * of the endpoint's allowed types) are required; `attributes` is an optional object, and a
 * `sudo` attribute needs both `enabled` and `withoutPassword` (`GraphAttribute-Sudo`).
 * Every problem is reported at once in an `ErrorDetails` 400.
 */
export function parseGraphOperation(body: unknown, allowedTypes: readonly string[]): GraphOperation {
  if (!isPlainObject(body)) throw badRequest('the request body must be a JSON object {"op", "type", "id"}', [{ field: 'body', description: 'must be an object' }]);
  const violations: FieldViolation[] = [];
  const { op, type, id, attributes } = body;
  if (op !== 'add' && op !== 'remove' && op !== 'update') violations.push({ field: 'op', description: `required, one of add, remove, update (got ${JSON.stringify(op) ?? 'nothing'})` });
  if (typeof type !== 'string' || !allowedTypes.includes(type)) violations.push({ field: 'type', description: `required, one of ${allowedTypes.join(', ')} (got ${JSON.stringify(type) ?? 'nothing'})` });
  if (!isObjectId(id)) violations.push({ field: 'id', description: `required, a 24-character hexadecimal ObjectId (got ${JSON.stringify(id) ?? 'nothing'})` });
  if (attributes !== undefined && attributes !== null) {
    if (!isPlainObject(attributes)) violations.push({ field: 'attributes', description: 'must be an object' });
    else if (attributes['sudo'] !== undefined) {
      const sudo = attributes['sudo'];
      if (!isPlainObject(sudo) || typeof sudo['enabled'] !== 'boolean' || typeof sudo['withoutPassword'] !== 'boolean') {
        violations.push({ field: 'attributes.sudo', description: 'must be {"enabled": boolean, "withoutPassword": boolean}' });
      }
    }
  }
  if (violations.length > 0) throw badRequest(violations.map((v) => `${v.field} ${v.description}`).join('; '), violations);
  return {
    op: op as GraphOperation['op'],
    type: type as string,
    id: id as string,
    ...(isPlainObject(attributes) ? { attributes } : {}),
  };
}

/** Reads a `targets` query parameter (one value, repeated, or comma-separated as in the 2023 spec). */
export function parseTargets(values: readonly string[], allowed: readonly string[]): string[] {
  const targets = values.flatMap((v) => v.split(',')).map((t) => t.trim()).filter((t) => t !== '');
  if (targets.length === 0) throw badRequest(`query parameter "targets" is required; one of ${allowed.join(', ')}`, [{ field: 'targets', description: 'required' }]);
  const unknown = targets.filter((t) => !allowed.includes(t));
  if (unknown.length > 0) throw badRequest(`unknown targets ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`, [{ field: 'targets', description: `unknown value ${unknown.join(', ')}` }]);
  return targets;
}
