import type { ValidateFunction } from 'ajv';
import { createAjv } from '../../../../../engine/schema/ajv.js';
import extract from '../../../../fixtures/jumpcloud/openapi-extract.json' with { type: 'json' };

/**
 * Validation of emulator responses against the committed extract of JumpCloud's OpenAPI
 * documents (`test/fixtures/jumpcloud/openapi-extract.json`). Schemas are "closed" before use:
 * an object schema that lists its properties rejects others, so a misspelt or invented field in
 * an emulator response fails the contract instead of slipping through Swagger's open objects.
 */

interface ExtractEndpoint {
  operationId: string;
  responses: Record<string, { schema: unknown }>;
  declaredStatusCodes2023?: string[];
  headers: string[];
}

const endpoints = (extract as unknown as { endpoints: Record<string, ExtractEndpoint> }).endpoints;
const definitions = (extract as unknown as { definitions: Record<string, unknown> }).definitions;
const ajv = createAjv();
const compiled = new Map<string, ValidateFunction>();
const matchers = Object.keys(endpoints).map((key) => {
  const [method, template] = key.split(' ') as [string, string];
  const literal = template.split('/').filter((s) => !s.startsWith('{')).length;
  return { key, method, literal, regex: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`) };
}).sort((a, b) => b.literal - a.literal);

/** Every endpoint key in the extract (`"GET /api/systemusers"`, …). */
export const CONTRACT_ENDPOINTS: readonly string[] = Object.keys(endpoints);

/** The extract entry for a request, or undefined for paths outside the contract (admin endpoints). */
export function endpointFor(method: string, path: string): string | undefined {
  return matchers.find((m) => m.method === method && m.regex.test(path))?.key;
}

/** The documented response headers of an endpoint. */
export function documentedHeaders(key: string): readonly string[] {
  return endpoints[key]?.headers ?? [];
}

/**
 * Checks one response against the contract: a success status must be one the 2026 document
 * lists for the endpoint and its body must match that response's schema; an error body must
 * match `ErrorDetails` (400) or `Error` (everything else). Returns the problems (empty = fine).
 */
export function contractProblems(key: string, status: number, body: unknown): string[] {
  const endpoint = endpoints[key];
  if (endpoint === undefined) return [`${key} is not in the contract extract`];
  if (status < 400) {
    const response = endpoint.responses[String(status)];
    if (response === undefined) return [`${key} answered ${status}, but the document lists only ${Object.keys(endpoint.responses).join(', ')}`];
    if (response.schema === null) return body === undefined ? [] : [`${key} ${status} has no documented body, but one was sent`];
    return validate(`${key} ${status}`, response.schema, body);
  }
  return validate(status === 400 ? 'ErrorDetails' : 'Error', definitions[status === 400 ? 'ErrorDetails' : 'Error'], body);
}

function validate(cacheKey: string, schema: unknown, body: unknown): string[] {
  let check = compiled.get(cacheKey);
  if (check === undefined) {
    check = ajv.compile(close(structuredClone(schema)) as object);
    compiled.set(cacheKey, check);
  }
  if (check(body)) return [];
  return (check.errors ?? []).map((e) => `${cacheKey}: ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** Sets `additionalProperties: false` on every object schema that lists properties and says nothing else. */
function close(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(close);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, close(v)])) : close(value);
  }
  if (out['properties'] !== undefined && out['additionalProperties'] === undefined) out['additionalProperties'] = false;
  return out;
}
