import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../engine/loader/package-files.js';
import { packageSchemaValidator } from '../../../engine/loader/schema-validator.js';

type Schema = Record<string, unknown>;

function readSchema(name: string): Schema {
  return JSON.parse(readFileSync(join(packageRoot(), 'schemas', name), 'utf8')) as Schema;
}

/** Every property schema in a schema, with where it is, following local `$ref`s. */
function properties(root: Schema): Array<{ where: string; schema: Schema }> {
  const found: Array<{ where: string; schema: Schema }> = [];
  const resolve = (schema: Schema): Schema => {
    const ref = schema['$ref'];
    if (typeof ref !== 'string') return schema;
    const target = ref.replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (node as Schema)[key], root) as Schema;
    return { ...target, ...schema };
  };
  const walk = (schema: unknown, where: string): void => {
    if (typeof schema !== 'object' || schema === null) return;
    const node = schema as Schema;
    for (const [name, property] of Object.entries((node['properties'] ?? {}) as Schema)) {
      found.push({ where: `${where}.${name}`, schema: resolve(property as Schema) });
      walk(property, `${where}.${name}`);
    }
    for (const key of ['items', 'additionalProperties', 'then']) walk(node[key], `${where}[${key}]`);
    for (const key of ['allOf', 'anyOf', 'oneOf']) if (Array.isArray(node[key])) (node[key] as unknown[]).forEach((item, i) => walk(item, `${where}.${key}[${i}]`));
  };
  walk(root, '');
  for (const [name, definition] of Object.entries((root['definitions'] ?? {}) as Schema)) walk(definition, `#${name}`);
  return found;
}

describe.each(['language/workflow.schema.json', 'config.schema.json'])('%s', (name) => {
  const schema = readSchema(name);

  it('is draft-07 with an $id, and compiles in strict mode', () => {
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema['$id']).toMatch(/^urn:idflow:schema:/);
    expect(() => packageSchemaValidator(name)).not.toThrow();
  });

  it('gives every property a title and a description (editors show them)', () => {
    const missing = properties(schema)
      .filter(({ schema: property }) => typeof property['title'] !== 'string' || typeof property['description'] !== 'string')
      .map(({ where }) => where);
    expect(missing).toEqual([]);
  });
});

describe('the workflow schema', () => {
  it('allows unknown keys only in with, output and trigger inputs', () => {
    const validate = packageSchemaValidator('language/workflow.schema.json');
    const base = { id: 'x', name: 'X', steps: [{ id: 'a', action: 'log', with: { anything: { goes: 1 } } }], output: { any: ['thing'] } };
    expect(validate(base)).toBe(true);
    expect(validate({ ...base, triggers: [{ type: 'event', event: 'e', inputs: { any: 'x' } }] })).toBe(true);
    expect(validate({ ...base, extra: 1 })).toBe(false);
    expect(validate({ ...base, steps: [{ id: 'a', action: 'log', extra: 1 }] })).toBe(false);
    expect(validate({ ...base, steps: [{ id: 'a', action: 'log', retry: { tries: 1 } }] })).toBe(false);
    expect(validate({ ...base, inputs: { a: { type: 'string', extra: 1 } } })).toBe(false);
  });
});
