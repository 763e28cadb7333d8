import { describe, expect, it } from 'vitest';
import type { Change } from '../../../../engine/plugin-api/action.js';
import { createMockActionContext } from '../../../../engine/plugin-api/mock-context.js';
import { MADE_BEFORE_INTERRUPTION, makeChange, makeChanges, settleIntents } from '../../../../actions/jumpcloud/actions/change-intent.js';

const group = (name: string): Change => ({
  target: `user group "${name}" (g1)`,
  operation: 'remove_member',
  before: { id: 'g1', name, type: 'user_group', member: true },
  after: { id: 'g1', name, type: 'user_group', member: false },
});

describe('write-ahead intents', () => {
  it('records the intent before the call and the outcome after it', async () => {
    const ctx = createMockActionContext();
    const seen: Array<Change['result']> = [];
    const made = await makeChange(ctx, group('Eng'), async () => {
      seen.push(...ctx.recorded.map((c) => c.result));
      return true;
    });
    expect(made).toBe(true);
    expect(seen).toEqual(['started']);
    expect(ctx.recorded.map((c) => c.result)).toEqual(['started', 'changed']);
  });

  it('counts a target found done as made only when an earlier attempt left its intent open', async () => {
    const fresh = createMockActionContext();
    expect(await makeChange(fresh, group('Eng'), async () => false)).toBe(false);
    expect(fresh.recorded.at(-1)).toMatchObject({ result: 'unchanged' });

    // Matched by the object's id, so a rename between the attempts does not part intent and outcome.
    const resumed = createMockActionContext({ earlierChanges: [{ ...group('Engineering'), result: 'started' }], attempt: 2 });
    expect(await makeChange(resumed, group('Eng'), async () => false)).toBe(true);
    expect(resumed.recorded.at(-1)).toMatchObject({ result: 'changed', note: MADE_BEFORE_INTERRUPTION });
    expect(settleIntents(resumed, ['remove_member'])).toEqual([]);
  });

  it('leaves the intent open when the call fails, and a later attempt that finds the target done counts it once', async () => {
    const first = createMockActionContext();
    await expect(makeChanges(first, [group('Eng')], async () => {
      throw new Error('connection reset');
    })).rejects.toThrow('connection reset');
    const second = createMockActionContext({ earlierChanges: first.recorded, attempt: 2 });
    expect(settleIntents(second, ['remove_member'])).toEqual([{ ...group('Eng'), result: 'changed', note: MADE_BEFORE_INTERRUPTION }]);
    const third = createMockActionContext({ earlierChanges: [...first.recorded, ...second.recorded], attempt: 3 });
    expect(settleIntents(third, ['remove_member'])).toEqual([]);
    // Another operation's open intent is not this one's to settle.
    expect(settleIntents(createMockActionContext({ earlierChanges: first.recorded }), ['revoke'])).toEqual([]);
  });

  it('keeps a change\'s own note next to the interruption note', async () => {
    const deletion: Change = { target: 'user "jane" (u1)', operation: 'delete', before: { id: 'u1', name: 'jane', type: 'user' }, note: 'cascade_manager=null' };
    const ctx = createMockActionContext({ earlierChanges: [{ ...deletion, result: 'started' }] });
    expect(settleIntents(ctx, ['delete'])).toEqual([{ ...deletion, result: 'changed', note: `cascade_manager=null; ${MADE_BEFORE_INTERRUPTION}` }]);
  });
});
