import { describe, expect, it } from 'vitest';
import { dataSetAction } from '../../../actions/core/data-set.js';
import { createMockActionContext } from '../../../engine/plugin-api/mock-context.js';
import { ActionRegistry } from '../../../engine/registry/action-registry.js';

const registry = new ActionRegistry();
registry.register(dataSetAction, 'builtin:core');
const validate = registry.get('data.set')?.validateParams;

describe('data.set', () => {
  const values = { recipients: ['it@company.test', 'jane@company.test'], count: 5, nested: { ok: true, none: null } };

  it('outputs its values as they are and changes nothing', async () => {
    const ctx = createMockActionContext();
    const result = await dataSetAction.run(ctx, { values });
    expect(result).toEqual({ changed: false, output: values, summary: 'set recipients, count, nested' });
    expect(ctx.recorded).toEqual([]);
    expect(registry.get('data.set')?.validateOutput?.(result.output)).toBe(true);
  });

  it('plans the same output, so later steps can plan with it', async () => {
    const plan = await dataSetAction.plan?.(createMockActionContext({ dryRun: true }), { values });
    expect(plan).toEqual({ changes: [], output: values, summary: 'set recipients, count, nested' });
  });

  it('requires an object of values', () => {
    expect(validate?.({ values: {} })).toBe(true);
    expect(validate?.({})).toBe(false);
    expect(validate?.({ values: [1, 2] })).toBe(false);
    expect(validate?.({ values: 'x' })).toBe(false);
    expect(validate?.({ values: {}, extra: 1 })).toBe(false);
    for (const example of dataSetAction.examples ?? []) expect(validate?.(structuredClone(example.with))).toBe(true);
  });
});
