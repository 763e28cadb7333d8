import type { ErrorObject } from 'ajv';
import type { ActionRegistry } from '../registry/action-registry.js';
import { isTemplate } from '../templating/template-references.js';
import type { Issue } from './issue.js';
import { decodePointer } from '../diagnostics/json-pointer.js';
import { schemaIssues } from './schema-issues.js';
import { isRecord, stepEntries } from './workflow-data.js';

/** What the action checks need besides the data. */
export interface ActionCheckContext {
  registry: ActionRegistry;
  /** `plugins:` entries of the template that failed to load (they may have defined missing actions). */
  failedPlugins: readonly string[];
  /** Registered actions this template may not use (another template's plugins), with the plugin that defines each. */
  unavailable: ReadonlyMap<string, string>;
}

/**
 * Checks every step's `action` and its literal `with:` parameters.
 *
 * - An unknown action id is reported at the id, with the closest registered ids; so is an
 *   action that only another template's plugins define (the template must name its own).
 * - `with:` is validated against the action's own params schema (compiled once, when the
 *   action was registered) on a copy, so that defaults are not written into the template's data.
 * - Errors at or under a templated string (e.g. a `"{{inputs.count}}"` where a number is
 *   expected) are left out: the value is only known after rendering, and is checked then.
 *   Missing and unknown parameters are reported regardless.
 */
export function checkActions(data: unknown, context: ActionCheckContext): Issue[] {
  const issues: Issue[] = [];
  for (const entry of stepEntries(data)) {
    const action = entry.step['action'];
    if (typeof action !== 'string' || action === '') continue;
    const registered = context.unavailable.has(action) ? undefined : context.registry.get(action);
    if (!registered) {
      issues.push(unknownAction(action, `${entry.pointer}/action`, context));
      continue;
    }
    // A misspelt `with:` (`wiht:`) arrives here as `with:` (see misspelt-keys.ts).
    const hasWith = Object.hasOwn(entry.step, 'with');
    const params = hasWith ? entry.step['with'] : {};
    if (!isRecord(params)) continue; // the schema reports a `with:` that is not a map
    issues.push(...checkRunsAction(registered.definition.runsAction, params, hasWith ? `${entry.pointer}/with` : `${entry.pointer}/action`, context));
    const copy = structuredClone(params);
    if (registered.validateParams(copy)) continue;
    const errors = (registered.validateParams.errors ?? []).filter((error) => !underTemplate(params, error));
    issues.push(
      ...schemaIssues(errors, params, {
        // Without `with:`, a missing parameter is shown at the action id.
        basePointer: hasWith ? `${entry.pointer}/with` : `${entry.pointer}/action`,
        rootName: `the parameters of action "${action}"`,
        unknownKey: (key) => `unknown parameter "${key}" for action "${action}"`,
        missingKey: (key, mapName) => (mapName.startsWith('the parameters') ? `action "${action}" is missing the required parameter "${key}"` : `${mapName} is missing the required key "${key}"`),
        codes: { unknown: 'unknown-param', missing: 'missing-param', type: 'invalid-param', value: 'invalid-param' },
      }).map((issue) => (hasWith ? issue : { ...issue, pointer: `${entry.pointer}/action`, at: 'value' as const })),
    );
  }
  return issues;
}

/**
 * The action a step runs later (see `ActionDefinition.runsAction`) and its parameters, when
 * both are literal: checked like a step's own, the parameters under `<with>/<name>`.
 */
function checkRunsAction(runsAction: { action: string; with: string } | undefined, params: Record<string, unknown>, pointer: string, context: ActionCheckContext): Issue[] {
  if (runsAction === undefined) return [];
  const id = params[runsAction.action];
  if (typeof id !== 'string' || id === '' || isTemplate(id)) return [];
  const target = context.unavailable.has(id) ? undefined : context.registry.get(id);
  if (target === undefined) return [unknownAction(id, `${pointer}/${runsAction.action}`, context)];
  const nested = params[runsAction.with] ?? {};
  if (!isRecord(nested) || target.validateParams(structuredClone(nested))) return [];
  const errors = (target.validateParams.errors ?? []).filter((error) => !underTemplate(nested, error));
  return schemaIssues(errors, nested, {
    basePointer: `${pointer}/${runsAction.with}`,
    rootName: `the parameters of action "${id}"`,
    unknownKey: (key) => `unknown parameter "${key}" for action "${id}"`,
    missingKey: (key, mapName) => (mapName.startsWith('the parameters') ? `action "${id}" is missing the required parameter "${key}"` : `${mapName} is missing the required key "${key}"`),
    codes: { unknown: 'unknown-param', missing: 'missing-param', type: 'invalid-param', value: 'invalid-param' },
  });
}

function unknownAction(action: string, pointer: string, context: ActionCheckContext): Issue {
  const close = context.registry.suggest(action).filter((id) => !context.unavailable.has(id));
  const elsewhere = context.unavailable.get(action);
  let suggestion: string;
  if (elsewhere !== undefined) suggestion = `It comes from the plugin ${elsewhere}, which another template names: add it under this template's plugins:`;
  else if (close.length > 0) suggestion = `Did you mean ${close.map((id) => `"${id}"`).join(', ').replace(/, ([^,]*)$/, ' or $1')}?`;
  else if (context.failedPlugins.length > 0) suggestion = `The template's plugin ${context.failedPlugins.map((p) => `"${p}"`).join(', ')} failed to load; it may define this action`;
  else suggestion = 'Load the plugin that defines it with --plugin, the config file\'s plugins: or the template\'s plugins:';
  return { pointer, code: 'unknown-action', message: `unknown action "${action}"`, suggestion };
}

/** True when the error is about a templated string or something inside one. */
function underTemplate(params: Record<string, unknown>, error: ErrorObject): boolean {
  let current: unknown = params;
  for (const segment of decodePointer(error.instancePath)) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isRecord(current) && Object.hasOwn(current, segment)) current = current[segment];
    else return false;
    if (typeof current === 'string' && isTemplate(current)) return true;
  }
  return false;
}
