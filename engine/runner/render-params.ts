import type { ErrorObject } from 'ajv';
import type { Step, RunData } from '../language/types.js';
import type { RegisteredAction } from '../registry/action-registry.js';
import type { TemplateEngine } from '../templating/index.js';
import { ValidationError } from '../errors/usage-errors.js';
import { findKnownAfterRun, type UnknownPart } from '../plugin-api/known-after-run.js';

/**
 * Renders a step's `with:` against the run data and validates the result against the
 * action's params schema (filling its defaults), as Backstage does per step: templated values
 * can only be checked once they have a value.
 *
 * Values of parameters the action's schema marks `x-secret` are reported through `onSecret`
 * (for redaction). A top-level parameter whose template renders to `null` or nothing is treated as not given,
 * so that an optional input left empty flows through as "absent" rather than as a `null` the
 * action's schema would refuse.
 *
 * In a plan, a value known only after the run (see known-after-run.ts) is left in place: it is
 * checked when it is known, so the schema's problems with it (a pattern, a missing required
 * parameter it stands for) are not reported, and everything else is checked as usual.
 *
 * @throws TemplateError when a template cannot be rendered;
 *   ValidationError (`INVALID_PARAMS`) listing every parameter problem.
 */
export function renderParams(
  step: Step,
  action: RegisteredAction,
  data: RunData,
  templates: TemplateEngine,
  secret: (name: string) => string | undefined,
  where: string,
  onSecret: (value: string) => void,
): Record<string, unknown> {
  const rendered: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(step.with)) {
    const result = templates.renderValue(value, data, { secret, where: `${where}.with.${key}` });
    if (result !== undefined && result !== null) rendered[key] = result;
  }
  // Parameters the action marks `x-secret` (tokens, webhook URLs) are redacted everywhere.
  const properties = action.definition.params.properties ?? {};
  const unknown = findKnownAfterRun(rendered);
  for (const [key, value] of Object.entries(rendered)) {
    if (unknown.some((part) => part.segments[0] === key)) continue;
    if (properties[key]?.['x-secret'] === true && value !== null && value !== undefined) onSecret(typeof value === 'string' ? value : JSON.stringify(value));
  }
  // Validate a copy: ajv's useDefaults fills the copy, which is what the action receives.
  const params = structuredClone(unknown.length === 0 ? rendered : withoutUnknown(rendered, unknown)) as Record<string, unknown>;
  if (!action.validateParams(params)) {
    const errors = unknownTolerant(action.validateParams.errors ?? [], unknown);
    if (errors.length > 0) {
      const messages = errors.map((error) => describeParamError(error));
      throw new ValidationError('INVALID_PARAMS', `${where}: the parameters for "${step.action}" are invalid after rendering: ${messages.join('; ')}`);
    }
  }
  for (const part of unknown) placeAt(params, part.segments, part.value);
  return params;
}

/** A copy of `value` without its values known only after the run: a property is left out, a list item set to null. */
function withoutUnknown(value: Record<string, unknown>, unknown: readonly UnknownPart[]): Record<string, unknown> {
  const copy = copyPlain(value) as Record<string, unknown>;
  for (const { segments } of unknown) {
    const parent = segments.slice(0, -1).reduce<unknown>((at, segment) => (at as Record<string | number, unknown>)[segment], copy);
    const last = segments.at(-1) as string | number;
    if (Array.isArray(parent)) parent[last as number] = null;
    else delete (parent as Record<string, unknown>)[last];
  }
  return copy;
}

/** Plain objects and lists copied; anything else (a value known only after the run) kept as it is. */
function copyPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyPlain);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copyPlain(item)]));
  }
  return value;
}

function placeAt(target: Record<string, unknown>, segments: ReadonlyArray<string | number>, value: unknown): void {
  let at: unknown = target;
  for (const segment of segments.slice(0, -1)) at = (at as Record<string | number, unknown>)[segment];
  (at as Record<string | number, unknown>)[segments.at(-1) as string | number] = value;
}

/** Combinators report a branch's problem again at the object's level: with a masked problem, they are not problems of their own. */
const COMBINATORS = new Set(['anyOf', 'oneOf', 'allOf', 'not', 'if', 'then', 'else']);

/**
 * The problems left once those of values known only after the run are set aside: at such a
 * value's place (or inside it), or its property missing from an object that requires it.
 */
function unknownTolerant(errors: readonly ErrorObject[], unknown: readonly UnknownPart[]): ErrorObject[] {
  if (unknown.length === 0) return [...errors];
  const pointers = unknown.map((part) => ({ at: `/${part.segments.join('/')}`, parent: part.segments.length === 1 ? '' : `/${part.segments.slice(0, -1).join('/')}`, key: String(part.segments.at(-1)) }));
  const masked = (error: ErrorObject): boolean =>
    pointers.some((p) => error.instancePath === p.at || error.instancePath.startsWith(`${p.at}/`) || (error.keyword === 'required' && error.instancePath === p.parent && (error.params as { missingProperty?: string }).missingProperty === p.key));
  const left = errors.filter((error) => !masked(error));
  return left.length < errors.length ? left.filter((error) => !COMBINATORS.has(error.keyword)) : left;
}

/** One ajv error about rendered parameters, in words. */
export function describeParamError(error: ErrorObject): string {
  const at = error.instancePath === '' ? '' : `"${error.instancePath.slice(1).replaceAll('/', '.')}" `;
  switch (error.keyword) {
    case 'required':
      return `missing required parameter "${String((error.params as { missingProperty?: string }).missingProperty)}"`;
    case 'additionalProperties':
      return `unknown parameter "${String((error.params as { additionalProperty?: string }).additionalProperty)}"`;
    case 'enum':
      return `${at}must be one of ${((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(error.data)}`;
    case 'type':
      return `${at}must be ${String((error.params as { type?: string }).type)}, got ${describeValue(error.data)}`;
    default:
      return `${at}${error.message ?? 'is invalid'}`;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
