import type { ActionDefinition } from '../../../../../engine/plugin-api/action.js';
import { ActionRegistry } from '../../../../../engine/registry/action-registry.js';

/**
 * The parameter check the engine makes before a step runs (and before a run starts, for values
 * known then), from the action's registered schema: returns each problem as `<path> <message>`,
 * none for valid parameters. Defaults are filled in as the engine fills them.
 */
export function compileParamsValidator<P, O>(action: ActionDefinition<P, O>): (params: Record<string, unknown>) => string[] {
  const registry = new ActionRegistry();
  registry.register(action, 'test');
  const registered = registry.get(action.id);
  if (registered === undefined) throw new Error(`${action.id} did not register`);
  return (params) => {
    const copy = structuredClone(params);
    if (registered.validateParams(copy)) return [];
    return (registered.validateParams.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}${error.params !== undefined && 'additionalProperty' in error.params ? ` (${String(error.params['additionalProperty'])})` : ''}`);
  };
}

/**
 * The output check the engine makes on what a step returns, from the action's registered output
 * schema: returns each problem as `<path> <message>`, none for a valid output.
 */
export function compileOutputValidator<P, O>(action: ActionDefinition<P, O>): (output: unknown) => string[] {
  const registry = new ActionRegistry();
  registry.register(action, 'test');
  const validate = registry.get(action.id)?.validateOutput;
  if (validate === undefined) throw new Error(`${action.id} has no output schema`);
  return (output) => (validate(structuredClone(output)) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`));
}
