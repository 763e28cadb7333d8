/**
 * Type-level tests of `defineAction` and `FromSchema`: checked by `tsc -p test/tsconfig.json`
 * (a wrong inference is a compile error here, and each `@ts-expect-error` must still be an
 * error), and run by vitest for the few runtime facts.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineAction, createMockActionContext, type ActionDefinition, type FromSchema } from '../../../engine/index.js';

const ticketParams = {
  type: 'object',
  properties: {
    ticket_id: { type: 'integer', description: 'The PSA ticket' },
    note: { type: 'string' },
    visibility: { type: 'string', enum: ['internal', 'public'], default: 'internal' },
    tags: { type: 'array', items: { type: 'string' } },
    notify: { type: 'boolean' },
    contact: { type: 'object', properties: { email: { type: 'string', format: 'email' } }, required: ['email'] },
    due: { type: ['string', 'null'] },
  },
  required: ['ticket_id', 'note'],
  additionalProperties: false,
} as const;

describe('defineAction infers params from the schema', () => {
  it('required, defaulted and optional properties', () => {
    const action = defineAction({
      id: 'psa.ticket.note',
      description: 'Adds a note',
      params: ticketParams,
      run(_ctx, params) {
        // Required: present and typed.
        expectTypeOf(params.ticket_id).toEqualTypeOf<number>();
        expectTypeOf(params.note).toEqualTypeOf<string>();
        // With a default: present (the engine fills defaults before run), typed from the enum.
        expectTypeOf(params.visibility).toEqualTypeOf<'internal' | 'public'>();
        // Optional: may be undefined.
        expectTypeOf(params.tags).toEqualTypeOf<string[] | undefined>();
        expectTypeOf(params.notify).toEqualTypeOf<boolean | undefined>();
        expectTypeOf(params.contact).toEqualTypeOf<{ email: string } | undefined>();
        expectTypeOf(params.due).toEqualTypeOf<string | null | undefined>();
        // @ts-expect-error -- not a declared property (additionalProperties: false).
        void params.ticket;
        // @ts-expect-error -- a number is not a string.
        const wrong: string = params.ticket_id;
        void wrong;
        return { changed: true, output: { noteId: params.ticket_id } };
      },
      plan(_ctx, params) {
        expectTypeOf(params.ticket_id).toEqualTypeOf<number>();
        return { changes: [{ target: `ticket #${params.ticket_id}`, operation: 'note' }] };
      },
      verify(_ctx, params, output) {
        expectTypeOf(params.note).toEqualTypeOf<string>();
        expectTypeOf(output).toEqualTypeOf<{ noteId: number }>();
        return { ok: true };
      },
    });
    expectTypeOf(action).toEqualTypeOf<ActionDefinition<FromSchema<typeof ticketParams>, { noteId: number }>>();
    // The definition is returned unchanged: defineAction is for types only.
    expect(action.id).toBe('psa.ticket.note');
  });

  it('FromSchema on its own', () => {
    expectTypeOf<FromSchema<{ type: 'string' }>>().toEqualTypeOf<string>();
    expectTypeOf<FromSchema<{ type: 'integer' }>>().toEqualTypeOf<number>();
    expectTypeOf<FromSchema<{ const: 'x' }>>().toEqualTypeOf<'x'>();
    expectTypeOf<FromSchema<{ enum: readonly [1, 2] }>>().toEqualTypeOf<1 | 2>();
    expectTypeOf<FromSchema<{ anyOf: readonly [{ type: 'string' }, { type: 'number' }] }>>().toEqualTypeOf<string | number>();
    expectTypeOf<FromSchema<{ type: 'array'; items: { type: 'boolean' } }>>().toEqualTypeOf<boolean[]>();
    expectTypeOf<FromSchema<{ type: 'object' }>>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<FromSchema<{ type: 'object'; properties: { a: { type: 'string' }; b: { type: 'number' } }; required: readonly ['a']; additionalProperties: false }>>().toEqualTypeOf<{
      a: string;
      b?: number;
    }>();
    expectTypeOf<FromSchema<{ description: 'no type' }>>().toEqualTypeOf<unknown>();
  });

  it('rejects misuse at compile time', async () => {
    defineAction({
      id: 'acme.misuse.result',
      description: 'run must return a result',
      params: { type: 'object' },
      // @ts-expect-error -- `changed` is required in a result.
      run: () => ({ output: 1 }),
    });
    defineAction({
      id: 'acme.misuse.params',
      description: 'params must be a JSON Schema',
      // @ts-expect-error -- `type` must be a JSON Schema type name.
      params: { type: 'map' },
      run: () => ({ changed: false }),
    });
    // @ts-expect-error -- `description` is required.
    defineAction({ id: 'acme.misuse.description', params: { type: 'object' }, run: () => ({ changed: false }) });
    defineAction({
      id: 'acme.misuse.plan',
      description: 'plan returns changes',
      params: { type: 'object', properties: { n: { type: 'number' } } },
      run: () => ({ changed: false }),
      // @ts-expect-error -- a plan lists `changes`, not `changed`.
      plan: () => ({ changed: true }),
    });

    // A typed action runs against the mock context with typed params.
    const greet = defineAction({
      id: 'acme.greeting.say',
      description: 'Says hello',
      params: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } as const,
      run: (ctx, { name }) => {
        ctx.logger.info(`hello ${name}`);
        return { changed: false, output: `hello ${name}` };
      },
    });
    const ctx = createMockActionContext();
    expect(await greet.run(ctx, { name: 'Ada' })).toEqual({ changed: false, output: 'hello Ada' });
    expectTypeOf(greet.run).parameter(1).toEqualTypeOf<{ name: string }>();
    // @ts-expect-error -- `name` is required.
    const missingName: Parameters<typeof greet.run>[1] = {};
    void missingName;
    expect(ctx.logs).toEqual([{ level: 'info', message: 'hello Ada' }]);
  });
});
