import type { ErrorObject } from 'ajv';
import type { Step, RunData } from '../language/types.js';
import type { RegisteredAction } from '../registry/action-registry.js';
import type { TemplateEngine } from '../templating/index.js';
import { ValidationError } from '../errors/usage-errors.js';

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
  for (const [key, value] of Object.entries(rendered)) {
    if (properties[key]?.['x-secret'] === true && value !== null && value !== undefined) onSecret(typeof value === 'string' ? value : JSON.stringify(value));
  }
  // Validate a copy: ajv's useDefaults fills the copy, which is what the action receives.
  const params = structuredClone(rendered);
  if (!action.validateParams(params)) {
    const messages = (action.validateParams.errors ?? []).map((error) => describeParamError(error));
    throw new ValidationError('INVALID_PARAMS', `${where}: the parameters for "${step.action}" are invalid after rendering: ${messages.join('; ')}`);
  }
  return params;
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
