import { describe, expect, it } from 'vitest';
import { readPackageSchema } from '../../../engine/loader/package-files.js';
import { WORKFLOW_SCHEMA } from '../../../engine/loader/load-workflow.js';
import type { JsonSchema } from '../../../engine/plugin-api/json-schema.js';
import { createAjv, type ValidateFunction } from '../../../engine/schema/ajv.js';
import { EDITOR_SCHEMA_ID, editorSchema } from '../../../engine/schema/editor-schema.js';

const language = readPackageSchema(WORKFLOW_SCHEMA);

function compile(params: JsonSchema): ValidateFunction {
  const ajv = createAjv();
  ajv.addKeyword({ keyword: 'enumDescriptions', schemaType: 'array' });
  ajv.addKeyword({ keyword: 'markdownEnumDescriptions', schemaType: 'array' });
  return ajv.compile(editorSchema(language, [{ id: 'acme.thing', description: 'Does a thing', params }]));
}

function template(params: unknown): unknown {
  return { id: 'x', name: 'X', steps: [{ id: 'a', action: 'acme.thing', with: params }] };
}

describe('editorSchema', () => {
  it('leaves out idflow\'s x- annotations (plain draft-07), keeps properties named x-..., and has its own $id', () => {
    const schema = editorSchema(language, [{ id: 'acme.thing', description: 'Does a thing', params: { type: 'object', properties: { token: { type: 'string', 'x-secret': true }, 'x-mode': { type: 'string' } } } }]);
    const text = JSON.stringify(schema);
    expect(text).not.toContain('"x-expected"');
    expect(text).not.toContain('"x-secret"');
    expect(text).toContain('"x-mode"');
    expect(schema.$id).toBe(EDITOR_SCHEMA_ID);
    expect(schema.$id).not.toBe(language.$id);
    // The language schema it was built from is not changed.
    expect(JSON.stringify(language)).toContain('"x-expected"');
  });

  it('accepts a template for a value of any type, nested ones included, and nothing else that does not match', () => {
    const validate = compile({
      type: 'object',
      required: ['count'],
      additionalProperties: false,
      properties: {
        count: { type: 'integer', minimum: 1 },
        ids: { type: 'array', items: { type: 'string', format: 'uuid' } },
        target: { type: 'object', properties: { kind: { enum: ['user', 'group'] } }, additionalProperties: false },
      },
    });
    expect(validate(template({ count: '{{inputs.count}}', ids: ['{{item}}'], target: { kind: '{{vars.kind}}' } }))).toBe(true);
    expect(validate(template({ count: '{{inputs.count}}', ids: '{{steps.groups.output.ids}}', target: '{{vars.target}}' }))).toBe(true);
    expect(validate(template({ count: 0 }))).toBe(false);
    expect(validate(template({ count: 'three' }))).toBe(false);
    expect(validate(template({ count: 1, ids: ['not-a-uuid'] }))).toBe(false);
    expect(validate(template({ count: 1, target: { kind: 'device' } }))).toBe(false);
    expect(validate(template({ count: 1, target: { knid: 'user' } }))).toBe(false);
    // with: itself is a map, never a template.
    expect(validate(template('{{inputs.params}}'))).toBe(false);
  });

  it('does not turn a not into "not a template either"', () => {
    const validate = compile({ type: 'object', properties: { name: { type: 'string', not: { const: 'root' } } } });
    expect(validate(template({ name: 'root' }))).toBe(false);
    expect(validate(template({ name: 'ada' }))).toBe(true);
  });

  it('inlines the params schema\'s own $refs, which would not resolve under the step', () => {
    const validate = compile({
      type: 'object',
      definitions: { level: { type: 'string', enum: ['low', 'high'] } },
      properties: { level: { $ref: '#/definitions/level' } },
      additionalProperties: false,
    } as JsonSchema);
    expect(validate(template({ level: 'high' }))).toBe(true);
    expect(validate(template({ level: 'medium' }))).toBe(false);
    expect(JSON.stringify(editorSchema(language, [{ id: 'acme.thing', description: 'Does a thing', params: { type: 'object', definitions: { level: { type: 'string' } }, properties: { level: { $ref: '#/definitions/level' } } } as JsonSchema }]))).not.toContain('"$ref":"#/definitions/level"');
  });

  it('says which action has a $ref that does not resolve', () => {
    expect(() => editorSchema(language, [{ id: 'acme.bad', description: 'Bad', params: { type: 'object', properties: { a: { $ref: '#/definitions/missing' } } } as JsonSchema }])).toThrow(
      /acme\.bad.*#\/definitions\/missing/,
    );
  });

  it('requires with: only for an action with required parameters', () => {
    expect(compile({ type: 'object', properties: { a: { type: 'string' } } })({ id: 'x', name: 'X', steps: [{ id: 'a', action: 'acme.thing' }] })).toBe(true);
    expect(compile({ type: 'object', required: ['a'], properties: { a: { type: 'string' } } })({ id: 'x', name: 'X', steps: [{ id: 'a', action: 'acme.thing' }] })).toBe(false);
  });
});

describe('editorSchema on a recursive params schema', () => {
  it('inlines it to a depth and accepts anything below, instead of failing', () => {
    const validate = compile({
      type: 'object',
      definitions: { node: { type: 'object', properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/definitions/node' } } }, additionalProperties: false } },
      properties: { tree: { $ref: '#/definitions/node' } },
      additionalProperties: false,
    } as JsonSchema);
    expect(validate(template({ tree: { name: 'a', children: [{ name: 'b', children: [] }] } }))).toBe(true);
    expect(validate(template({ tree: { name: 'a', children: [{ nmae: 'b' }] } }))).toBe(false);
  });
});
