/**
 * The subset of JSON Schema (draft-07 / 2019-09, as ajv reads it) that action authors write,
 * and {@link FromSchema}, which turns such a schema, written `as const`, into the TypeScript type
 * of the value it accepts, so that `defineAction` can type `params` in `run()`.
 */
export interface JsonSchema {
  $id?: string;
  $schema?: string;
  title?: string;
  description?: string;
  type?: JsonSchemaTypeName | readonly JsonSchemaTypeName[];
  enum?: readonly unknown[];
  const?: unknown;
  default?: unknown;
  examples?: readonly unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  minProperties?: number;
  maxProperties?: number;
  anyOf?: readonly JsonSchema[];
  oneOf?: readonly JsonSchema[];
  allOf?: readonly JsonSchema[];
  not?: JsonSchema;
  if?: JsonSchema;
  then?: JsonSchema;
  else?: JsonSchema;
  nullable?: boolean;
  /** Marks a parameter whose value is a secret: the engine redacts it everywhere. */
  'x-secret'?: boolean;
  [keyword: string]: unknown;
}

export type JsonSchemaTypeName = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type FromTypeName<N, S> = N extends 'string'
  ? string
  : N extends 'number' | 'integer'
    ? number
    : N extends 'boolean'
      ? boolean
      : N extends 'null'
        ? null
        : N extends 'array'
          ? S extends { items: infer I } ? Array<FromSchema<I>> : unknown[]
          : N extends 'object'
            ? FromObject<S>
            : unknown;

type RequiredKeys<S> = S extends { required: readonly (infer R)[] } ? Extract<R, string> : never;

/** Properties that are required, or that have a default (the engine fills defaults before `run`). */
type PresentKeys<S, P> = RequiredKeys<S> | { [K in keyof P]: P[K] extends { default: unknown } ? K : never }[keyof P];

type FromObject<S> = S extends { properties: infer P }
  ? Simplify<
      { [K in Extract<keyof P, PresentKeys<S, P>>]: FromSchema<P[K]> } & {
        [K in Exclude<keyof P, PresentKeys<S, P>>]?: FromSchema<P[K]>;
      } & (S extends { additionalProperties: false } ? unknown : S extends { additionalProperties: infer A extends object } ? Record<string, FromSchema<A>> : unknown)
    >
  : Record<string, unknown>;

/**
 * The TypeScript type of the values a JSON Schema accepts (for schemas written `as const`).
 * Covers `type` (single or list), `enum`, `const`, `properties`/`required` (properties with a
 * `default` count as present), `items`, `additionalProperties`, `anyOf`/`oneOf`; anything else
 * is `unknown`.
 */
export type FromSchema<S> = S extends { const: infer C }
  ? C
  : S extends { enum: readonly (infer E)[] }
    ? E
    : S extends { anyOf: readonly (infer U)[] }
      ? FromSchema<U>
      : S extends { oneOf: readonly (infer U)[] }
        ? FromSchema<U>
        : S extends { type: readonly (infer N)[] }
          ? FromTypeName<N, S>
          : S extends { type: infer N }
            ? FromTypeName<N, S>
            : unknown;
