import fc from 'fast-check';

type Schema = Record<string, unknown>;

const STRINGS = ['', 'a', 'john.smith', 'john.smith@company.com', 'not an email', 'https://example.com/hook', 'ftp://x', '2026-03-04T15:31:00Z', '5f1b2c3d4e5f6a7b8c9d0e1f', '{{inputs.user}}', 'disable', 'delete', 'GET', 'POST', 'info', 'x'.repeat(300)];

/**
 * Data shaped by a JSON Schema, mostly close to valid (the properties it declares, values of
 * their types, enum members, constants) and sometimes not (a value of any type, an unknown
 * key, a missing required one), so that both the valid paths and every kind of error of a
 * validator are reached. Not a complete JSON Schema generator: enough for comparing two
 * validators of the same schema.
 */
export function schemaSample(schema: unknown, depth = 0): fc.Arbitrary<unknown> {
  const noise = fc.jsonValue({ maxDepth: 2 });
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema) || depth > 5) return noise;
  const node = schema as Schema;
  const options: Array<fc.Arbitrary<unknown>> = [];
  if (Array.isArray(node['enum']) && node['enum'].length > 0) options.push(fc.constantFrom(...(node['enum'] as unknown[])));
  if ('const' in node) options.push(fc.constant(node['const']));
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    if (Array.isArray(node[key])) for (const branch of node[key] as unknown[]) options.push(schemaSample({ ...node, [key]: undefined, ...(branch as Schema) }, depth + 1));
  }
  if (typeof node['then'] === 'object' && node['then'] !== null) options.push(schemaSample({ ...node, if: undefined, then: undefined, ...(node['then'] as Schema) }, depth + 1));
  const types = Array.isArray(node['type']) ? (node['type'] as string[]) : typeof node['type'] === 'string' ? [node['type']] : [];
  if (types.includes('object') || typeof node['properties'] === 'object') options.push(objectSample(node, depth));
  if (types.includes('array') || node['items'] !== undefined) options.push(fc.array(schemaSample(node['items'], depth + 1), { maxLength: 4 }));
  if (types.includes('string')) options.push(fc.oneof(fc.constantFrom(...STRINGS), fc.string({ maxLength: 10 })));
  if (types.includes('integer')) options.push(fc.oneof(fc.integer({ min: -3, max: 400 }), fc.integer()));
  if (types.includes('number')) options.push(fc.oneof(fc.integer({ min: -3, max: 400 }), fc.double({ noNaN: true })));
  if (types.includes('boolean')) options.push(fc.boolean());
  if (types.includes('null')) options.push(fc.constant(null));
  if (options.length === 0) return noise;
  // Mostly the shapes the schema describes; a value of any type one time in ten.
  return fc.oneof({ arbitrary: fc.oneof(...options), weight: 9 }, { arbitrary: noise, weight: 1 });
}

function objectSample(node: Schema, depth: number): fc.Arbitrary<unknown> {
  const properties = (typeof node['properties'] === 'object' && node['properties'] !== null ? node['properties'] : {}) as Schema;
  const required = (Array.isArray(node['required']) ? (node['required'] as string[]) : []).filter((key) => key in properties);
  const optional = Object.keys(properties).filter((key) => !required.includes(key));
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, property] of Object.entries(properties)) shape[key] = schemaSample(property, depth + 1);
  const additional = typeof node['additionalProperties'] === 'object' ? schemaSample(node['additionalProperties'], depth + 1) : fc.jsonValue({ maxDepth: 1 });
  const none = fc.constant(null);
  return fc.tuple(
    fc.record(shape),
    // Optional keys often left out; a required one now and then; an unknown key sometimes.
    fc.subarray(optional),
    required.length > 0 ? fc.oneof({ arbitrary: none, weight: 6 }, { arbitrary: fc.constantFrom(...required), weight: 1 }) : none,
    fc.oneof({ arbitrary: none, weight: 4 }, { arbitrary: fc.tuple(fc.constantFrom('unknown_key', 'nmae', 'extra'), additional), weight: 1 }),
  ).map(([all, leftOut, missing, extra]) => {
    const value: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(all)) if (!leftOut.includes(key) && key !== missing) value[key] = item;
    if (extra !== null) value[extra[0]] = extra[1];
    return value;
  });
}
