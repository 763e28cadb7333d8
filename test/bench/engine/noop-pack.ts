import type { ActionDefinition } from '../../../engine/plugin-api/action.js';
import type { PluginPack } from '../../../engine/plugin-api/pack.js';

/** Parameters of the no-op action: a value rendered from the inputs, and the step's index. */
export interface NoopParams {
  value: number;
  index: number;
}

/**
 * The action the engine-overhead benchmark runs: it does nothing but return, so that the time a
 * run takes beyond calling it is the engine's own (rendering, validation, retries wrapper,
 * journal, audit trail, logging).
 */
export const noopAction: ActionDefinition<NoopParams, { index: number }> = {
  id: 'bench.noop.run',
  description: 'Does nothing (engine overhead benchmark)',
  params: {
    type: 'object',
    properties: { value: { type: 'integer' }, index: { type: 'integer' } },
    required: ['value', 'index'],
    additionalProperties: false,
  },
  run(_ctx, params) {
    return { changed: false, output: { index: params.index } };
  },
};

/** The pack registered for the benchmark. */
export const noopPack: PluginPack = {
  name: 'bench',
  description: 'Benchmark actions',
  actions: [noopAction as unknown as ActionDefinition],
};

/**
 * A workflow of `steps` no-op steps, each with one template expression (as real steps have) and
 * a literal: `with: { value: "{{inputs.n}}", index: i }`.
 */
export function noopTemplate(id: string, steps: number): string {
  const lines = [`id: ${id}`, `name: ${steps} no-op steps`, 'inputs:', '  n: { type: integer, required: true }', 'steps:'];
  for (let i = 0; i < steps; i++) {
    lines.push(`  - id: s${i}`, '    action: bench.noop.run', `    with: { value: "{{inputs.n}}", index: ${i} }`);
  }
  return `${lines.join('\n')}\n`;
}
