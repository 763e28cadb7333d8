import { expect } from 'vitest';
import { IdflowError } from '../../../../engine/errors/idflow-error.js';
import type { ActionDefinition, ActionResult } from '../../../../engine/plugin-api/action.js';
import { createMockActionContext, type MockActionContext, type MockActionContextOptions } from '../../../../engine/plugin-api/mock-context.js';
import { ActionRegistry, type RegisteredAction } from '../../../../engine/registry/action-registry.js';

/** What a core action's tests call it through: the registry's checks and a mock context. */
export interface ActionHarness<P, O> {
  /** A registry holding only this action (registered as `builtin:core`). */
  registry: ActionRegistry;
  /** The action as registered: its compiled params and output validators. */
  registered: RegisteredAction;
  /** Params as the engine hands them over: validated against the action's schema, defaults filled (throws when invalid). */
  validParams(raw: Record<string, unknown>): P;
  /** Runs the action with a fresh mock context. */
  run(options: MockActionContextOptions, raw: Record<string, unknown>): Promise<{ ctx: MockActionContext; result: ActionResult<O> }>;
  /** Runs the action, expecting it to fail with an IdflowError, and returns that error. */
  failure(options: MockActionContextOptions, raw: Record<string, unknown>): Promise<IdflowError>;
}

/** Registers `action` through the plugin registry, as the engine does, and returns helpers to call it. */
export function actionHarness<P, O>(action: ActionDefinition<P, O>): ActionHarness<P, O> {
  const registry = new ActionRegistry();
  registry.register(action, 'builtin:core');
  const registered = registry.get(action.id) as RegisteredAction;
  const validParams = (raw: Record<string, unknown>): P => {
    const params = structuredClone(raw);
    if (!registered.validateParams(params)) throw new Error(`invalid params: ${JSON.stringify(registered.validateParams.errors)}`);
    return params as P;
  };
  return {
    registry,
    registered,
    validParams,
    async run(options, raw) {
      const ctx = createMockActionContext(options);
      const result = await action.run(ctx, validParams(raw));
      return { ctx, result };
    },
    async failure(options, raw) {
      const error = await Promise.resolve(action.run(createMockActionContext(options), validParams(raw))).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(IdflowError);
      return error as IdflowError;
    },
  };
}
