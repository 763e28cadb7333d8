import { isAbsolute, relative } from 'node:path';
import { stringify } from 'yaml';
import type { JsonSchema } from '../plugin-api/json-schema.js';
import type { RegisteredAction } from '../registry/action-registry.js';

/** One parameter of an action, as `idflow actions ID` shows it. */
export interface ParameterDoc {
  name: string;
  /** Readable type, e.g. `string`, `integer | string`, `array of string`, `"info" | "warn"`. */
  type: string;
  required: boolean;
  /** Present when the schema declares a default (filled in before `run`). */
  default?: unknown;
  description?: string;
  /** The allowed values, when the schema lists them. */
  enum?: unknown[];
  format?: string;
  /** Marked `x-secret`: redacted everywhere. */
  secret?: boolean;
}

/** Everything `idflow actions ID` shows about one action (also its `--json` form). */
export interface ActionDoc {
  id: string;
  description: string;
  /** Where it came from: `builtin:<pack>`, a file, folder or package (relative to the working directory when inside it). */
  source: string;
  pack?: string;
  /** Whether it previews its changes in `idflow plan`. */
  plan: boolean;
  /** Whether it can check its result (`verify: true` on a step). */
  verify: boolean;
  parameters: ParameterDoc[];
  /** Whether parameters not in the schema are refused. */
  closed: boolean;
  /** The output schema as declared, or null. */
  output: JsonSchema | null;
  /** The output schema in readable lines (indented by two spaces per level). */
  outputLines: string[];
  examples: Array<{ description: string; with: Record<string, unknown> }>;
  /** A ready-to-paste step for a template's `steps:`. */
  step: string;
}

/** One line of `idflow actions`. */
export interface ActionSummary {
  id: string;
  description: string;
  source: string;
  pack?: string;
}

/** The list `idflow actions` prints, sorted by id. */
export function summarizeActions(actions: readonly RegisteredAction[], cwd: string): ActionSummary[] {
  return actions.map((action) => ({
    id: action.definition.id,
    description: action.definition.description,
    source: displaySource(action.source, cwd),
    ...(action.pack === undefined ? {} : { pack: action.pack }),
  }));
}

/**
 * Describes one registered action for `idflow actions ID`: its parameters, its output in readable
 * form, its examples, and a step to paste into a template.
 */
export function describeAction(action: RegisteredAction, cwd: string): ActionDoc {
  const { definition } = action;
  const schema = definition.params;
  const required = new Set(schema.required ?? []);
  const parameters = Object.entries(schema.properties ?? {}).map(([name, property]) => describeParameter(name, property, required.has(name)));
  // Required names without a property schema still need a value.
  for (const name of required) if (!parameters.some((p) => p.name === name)) parameters.push({ name, type: 'any', required: true });
  const examples = (definition.examples ?? []).map((example) => ({ description: example.description, with: { ...example.with } }));
  return {
    id: definition.id,
    description: definition.description,
    source: displaySource(action.source, cwd),
    ...(action.pack === undefined ? {} : { pack: action.pack }),
    plan: typeof definition.plan === 'function',
    verify: typeof definition.verify === 'function',
    parameters,
    closed: schema.additionalProperties === false,
    output: definition.output ?? null,
    outputLines: definition.output === undefined ? [] : schemaLines(definition.output, 0),
    examples,
    step: exampleStep(definition.id, parameters, schema, examples[0]?.with),
  };
}

function describeParameter(name: string, property: JsonSchema, required: boolean): ParameterDoc {
  return {
    name,
    type: typeName(property),
    required,
    ...(property.default === undefined ? {} : { default: property.default }),
    ...(property.description === undefined ? {} : { description: property.description }),
    ...(Array.isArray(property.enum) ? { enum: [...property.enum] } : {}),
    ...(typeof property.format === 'string' ? { format: property.format } : {}),
    ...(property['x-secret'] === true ? { secret: true } : {}),
  };
}

/** A schema's type in words: `string`, `integer | string`, `array of string`, `"a" | "b"`. */
export function typeName(schema: JsonSchema): string {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives !== undefined) return [...new Set(alternatives.map((alternative) => typeName(alternative)))].join(' | ');
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length === 0) return schema.properties !== undefined ? 'object' : 'any';
  return types
    .map((type) => {
      if (type === 'array' && schema.items !== undefined) return `array of ${typeName(schema.items)}`;
      if (type === 'string' && typeof schema.format === 'string') return `string (${schema.format})`;
      return type;
    })
    .join(' | ');
}

/** A schema as indented lines: `name: type (required) — description`, nested for objects and list items. */
function schemaLines(schema: JsonSchema, depth: number): string[] {
  const pad = '  '.repeat(depth);
  const lines: string[] = [];
  if (depth === 0) lines.push(`${typeName(schema)}${schema.description ? ` — ${schema.description}` : ''}`);
  const required = new Set(schema.required ?? []);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const facts = [required.has(name) ? 'required' : undefined, property.default === undefined ? undefined : `default ${JSON.stringify(property.default)}`].filter(Boolean);
    lines.push(`${pad}  ${name}: ${typeName(property)}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}${property.description ? ` — ${property.description}` : ''}`);
    lines.push(...nestedLines(property, depth + 1));
  }
  if (schema.properties === undefined) lines.push(...nestedLines(schema, depth, depth === 0));
  return lines;
}

function nestedLines(schema: JsonSchema, depth: number, root = false): string[] {
  const items = schema.items;
  if (items !== undefined && (items.properties !== undefined || items.items !== undefined)) {
    return [`${'  '.repeat(depth)}  each item:`, ...schemaLines(items, depth + 1)];
  }
  if (!root && schema.properties !== undefined) return schemaLines({ ...schema, description: undefined }, depth);
  return [];
}

/**
 * A step to paste under `steps:`, with the required parameters filled with example values (from
 * the action's first example, the schema's `examples` or `default`, or a placeholder by type),
 * and the optional ones as comments.
 */
function exampleStep(id: string, parameters: readonly ParameterDoc[], schema: JsonSchema, example: Record<string, unknown> | undefined): string {
  const stepId = (id.split('.').at(-1) ?? id).replace(/-/g, '_');
  const lines = [`- id: ${stepId}`, `  action: ${id}`];
  const requiredParams = parameters.filter((p) => p.required);
  const optionalParams = parameters.filter((p) => !p.required);
  if (requiredParams.length > 0 || optionalParams.length > 0) lines.push('  with:');
  for (const parameter of requiredParams) {
    lines.push(...yamlEntry(parameter.name, sampleValue(parameter.name, schema.properties?.[parameter.name] ?? {}, example), '    '));
  }
  for (const parameter of optionalParams) {
    const value = parameter.default !== undefined ? parameter.default : sampleValue(parameter.name, schema.properties?.[parameter.name] ?? {}, example);
    lines.push(...yamlEntry(parameter.name, value, '    # '));
  }
  return lines.join('\n');
}

function yamlEntry(name: string, value: unknown, prefix: string): string[] {
  return stringify({ [name]: value }, { lineWidth: 0 }).trimEnd().split('\n').map((line) => `${prefix}${line}`);
}

function sampleValue(name: string, schema: JsonSchema, example: Record<string, unknown> | undefined): unknown {
  if (example !== undefined && Object.hasOwn(example, name)) return example[name];
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.[0] !== undefined) return sampleValue(name, alternatives[0], undefined);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return sampleString(name, schema.format);
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    case 'array':
      return schema.items === undefined ? [] : [sampleValue(name, schema.items, undefined)];
    case 'object': {
      const required = schema.required ?? [];
      return Object.fromEntries(required.map((key) => [key, sampleValue(key, schema.properties?.[key] ?? {}, undefined)]));
    }
    default:
      return `<${name}>`;
  }
}

function sampleString(name: string, format: string | undefined): string {
  switch (format) {
    case 'email':
      return 'user@example.com';
    case 'uri':
    case 'url':
      return 'https://example.com';
    case 'date-time':
      return '2030-01-01T00:00:00Z';
    case 'date':
      return '2030-01-01';
    case 'uuid':
      return '00000000-0000-0000-0000-000000000000';
    default:
      return `<${name}>`;
  }
}

/** A file source relative to the working directory when it is inside it; other sources as they are. */
export function displaySource(source: string, cwd: string): string {
  // Folder and package sources read "<where> (<entry>)": shorten the path part only.
  const match = /^(.*?)( \(.*\))?$/.exec(source);
  const path = match?.[1] ?? source;
  const rest = match?.[2] ?? '';
  if (!isAbsolute(path)) return source;
  const inside = relative(cwd, path);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? `${inside}${rest}` : source;
}
