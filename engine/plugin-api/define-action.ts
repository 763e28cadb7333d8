import type { ActionContext } from './context.js';
import type { ActionDefinition, ActionPlan, ActionResult, PlanParams, VerifyResult } from './action.js';
import type { FromSchema, JsonSchema } from './json-schema.js';

/**
 * Identity helper for plugin authors: returns the definition unchanged, and types `params`
 * in `run`, `plan` and `verify` from the `params` schema (write the schema `as const`).
 *
 * @example
 * ```ts
 * export default defineAction({
 *   id: 'acme.greeting.say',
 *   description: 'Says hello',
 *   params: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } as const,
 *   run: (ctx, params) => { ctx.logger.info(`hello ${params.name}`); return { changed: false }; },
 * });
 * ```
 */
export function defineAction<const S extends JsonSchema, O = unknown, K extends keyof FromSchema<S> & string = never>(definition: {
  id: string;
  description: string;
  params: S;
  output?: JsonSchema;
  run(ctx: ActionContext, params: FromSchema<S>): Promise<ActionResult<O>> | ActionResult<O>;
  /** Typed with the parameters of `plansKnownAfterRun` possibly known only after the run. */
  plan?(ctx: ActionContext, params: PlanParams<FromSchema<S>, K>): Promise<ActionPlan<O>> | ActionPlan<O>;
  plansKnownAfterRun?: readonly K[];
  verify?(ctx: ActionContext, params: FromSchema<S>, output: O): Promise<VerifyResult> | VerifyResult;
  examples?: ReadonlyArray<{ description: string; with: Record<string, unknown> }>;
  runsAction?: ActionDefinition['runsAction'];
}): ActionDefinition<FromSchema<S>, O> {
  // plan() takes wider parameters than run(): the engine passes them only for plansKnownAfterRun.
  return definition as ActionDefinition<FromSchema<S>, O>;
}
