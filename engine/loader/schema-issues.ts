import type { ErrorObject } from 'ajv';
import { closestMatches, didYouMean } from '../diagnostics/suggest.js';
import type { DeclaredType } from '../language/types.js';
import type { Issue } from './issue.js';
import { childPointer, nodeName, valueAt } from '../diagnostics/json-pointer.js';

/**
 * Turns ajv's errors into one clear {@link Issue} per real problem, at the offending node.
 *
 * @remarks
 * ajv (with `allErrors`) reports what failed in every branch of an `anyOf`/`oneOf`, an `if`
 * wrapper around every failing `then`, and a `propertyNames` wrapper around each bad key. This
 * keeps the branch the data was evidently meant for (the one whose type matches) and drops the
 * wrappers, and words each error for a person: the key that is unknown with "did you mean",
 * the key that is missing, what type was expected and what was found.
 *
 * Schemas may carry an `x-expected` annotation (e.g. `a duration like "30s" or a number of
 * milliseconds`) which is used instead of a type name or a regular expression.
 */
export interface SchemaIssueOptions {
  /** Pointer of the validated value in its file, prefixed to every issue (e.g. `/steps/2/with`). */
  basePointer?: string;
  /** How the validated value as a whole is named, e.g. `the template`. */
  rootName: string;
  /** Message for an unknown key (default `unknown key "x"`). */
  unknownKey?: (key: string) => string;
  /** Message for a missing required key of the map named `mapName` (default `... is missing the required key "x"`). */
  missingKey?: (key: string, mapName: string) => string;
  /** Codes to use instead of the defaults (`unknown-key`, `missing-key`, `wrong-type`, `invalid-value`). */
  codes?: Partial<Record<'unknown' | 'missing' | 'type' | 'value', string>>;
}

type SchemaObject = Record<string, unknown>;

/** The type-error issues (kept off the public {@link Issue} shape). */
const TYPE_ISSUES = new WeakSet<Issue>();

/** The key each missing-key issue is about (kept off the public {@link Issue} shape). */
const MISSING_KEY = new WeakMap<Issue, string>();

/** ajv errors → issues, collapsed (see {@link SchemaIssueOptions}). */
export function schemaIssues(errors: readonly ErrorObject[] | null | undefined, data: unknown, options: SchemaIssueOptions): Issue[] {
  if (!errors || errors.length === 0) return [];
  const kept = collapse(errors.filter((error) => error.keyword !== 'if' && error.keyword !== 'propertyNames'));
  const base = options.basePointer ?? '';
  const codes = { unknown: 'unknown-key', missing: 'missing-key', type: 'wrong-type', value: 'invalid-value', ...options.codes };
  const issues: Issue[] = [];
  for (const item of kept) {
    const issue = 'synthetic' in item ? typeIssue(item.instancePath, item.data, item.expected, base, options, codes.type) : toIssue(item, data, base, options, codes);
    if (issue) issues.push(issue);
  }
  return dropRedundant(dedupe(issues), codes);
}

/** A type error made from an `anyOf`/`oneOf` whose every branch wanted another type. */
interface SyntheticTypeError {
  synthetic: true;
  instancePath: string;
  data: unknown;
  expected: string;
}

/**
 * Resolves `anyOf`/`oneOf` errors, outermost first: keeps the errors of the branch whose type
 * the data has (the one it was meant for); when no branch has the data's type, replaces the
 * whole group with one type error naming what would have been accepted.
 */
function collapse(errors: ErrorObject[]): Array<ErrorObject | SyntheticTypeError> {
  const dropped = new Set<ErrorObject>();
  const synthetic: SyntheticTypeError[] = [];
  const composites = errors
    .filter((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf')
    .sort((a, b) => a.instancePath.length - b.instancePath.length || a.schemaPath.length - b.schemaPath.length);
  for (const composite of composites) {
    if (dropped.has(composite)) continue;
    const prefix = `${composite.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const error of errors) {
      if (error === composite || !error.schemaPath.startsWith(prefix) || !error.instancePath.startsWith(composite.instancePath)) continue;
      const branch = error.schemaPath.slice(prefix.length).split('/')[0] ?? '';
      branches.set(branch, [...(branches.get(branch) ?? []), error]);
    }
    dropped.add(composite);
    if (branches.size === 0) {
      // oneOf failing because several branches matched: nothing better to say than ajv's message.
      dropped.delete(composite);
      continue;
    }
    const onlyMissing = (branchErrors: ErrorObject[]) => branchErrors.every((error) => error.keyword === 'required' && error.instancePath === composite.instancePath);
    if (branches.size > 1 && [...branches.values()].every(onlyMissing)) {
      // Each branch asks for a different key (`at` or `after`) and none is there: one issue
      // that names the choice (the schema's `x-expected`), not the first branch's key alone.
      for (const branchErrors of branches.values()) for (const error of branchErrors) dropped.add(error);
      dropped.delete(composite);
      continue;
    }
    const typeMismatch = (branchErrors: ErrorObject[]) => branchErrors.some((error) => error.keyword === 'type' && error.instancePath === composite.instancePath);
    const candidates = [...branches.entries()].filter(([, branchErrors]) => !typeMismatch(branchErrors));
    if (candidates.length === 0) {
      for (const branchErrors of branches.values()) for (const error of branchErrors) dropped.add(error);
      const types = [...branches.values()].flat().filter((error) => error.keyword === 'type').flatMap((error) => listOf(error.params['type']));
      const parent = composite.parentSchema as SchemaObject | undefined;
      synthetic.push({ synthetic: true, instancePath: composite.instancePath, data: composite.data, expected: expectedText(parent, types) });
      continue;
    }
    candidates.sort((a, b) => a[1].length - b[1].length);
    const best = candidates[0]?.[0];
    for (const [branch, branchErrors] of branches) if (branch !== best) for (const error of branchErrors) dropped.add(error);
  }
  return [...errors.filter((error) => !dropped.has(error)), ...synthetic];
}

function toIssue(error: ErrorObject, data: unknown, base: string, options: SchemaIssueOptions, codes: Record<'unknown' | 'missing' | 'type' | 'value', string>): Issue | undefined {
  const pointer = base + error.instancePath;
  const parent = (error.parentSchema ?? {}) as SchemaObject;
  const name = describeName(error.instancePath, options.rootName);
  const value = error.data !== undefined ? error.data : valueAt(data, error.instancePath);
  const expected = typeof parent['x-expected'] === 'string' ? parent['x-expected'] : undefined;
  if (error.propertyName !== undefined) {
    // A key that fails `propertyNames` (e.g. an input name with a dash): point at the key.
    return {
      pointer: childPointer(pointer, error.propertyName), at: 'key', code: 'invalid-key',
      message: `"${error.propertyName}" is not a valid name here: it must be ${expected ?? `match /${String(parent['pattern'] ?? '')}/`}`,
    };
  }
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params['additionalProperty']);
      const allowed = Object.keys((parent['properties'] ?? {}) as SchemaObject);
      const suggestion = didYouMean(key, allowed) ?? (allowed.length > 0 && allowed.length <= 16 ? `Allowed keys here: ${allowed.map((k) => `"${k}"`).join(', ')}` : undefined);
      return withSuggestion({ pointer: childPointer(pointer, key), at: 'key', code: codes.unknown, message: options.unknownKey ? options.unknownKey(key) : `unknown key "${key}"` }, suggestion);
    }
    case 'required': {
      const key = String(error.params['missingProperty']);
      const mapName = error.instancePath === '' ? options.rootName : `"${nodeName(error.instancePath) ?? ''}"`;
      const issue: Issue = { pointer, at: 'map', code: codes.missing, message: options.missingKey ? options.missingKey(key, mapName) : `${mapName} is missing the required key "${key}"` };
      MISSING_KEY.set(issue, key);
      return issue;
    }
    case 'type':
      return typeIssue(error.instancePath, value, expectedText(parent, listOf(error.params['type'])), base, options, codes.type);
    case 'enum': {
      const allowed = listOf(error.params['allowedValues']);
      const suggestion = typeof value === 'string' ? didYouMean(value, allowed.filter((v): v is string => typeof v === 'string')) : undefined;
      return withSuggestion({ pointer, code: codes.value, message: `${name} must be one of ${allowed.map(show).join(', ')}; got ${describeValue(value)}` }, suggestion);
    }
    case 'const':
      return { pointer, code: codes.value, message: `${name} must be ${show(error.params['allowedValue'])}; got ${describeValue(value)}` };
    case 'pattern':
      return { pointer, code: 'invalid-format', message: `${name} must be ${expected ?? `text matching /${String(error.params['pattern'])}/`}; got ${describeValue(value)}` };
    case 'format':
      return { pointer, code: 'invalid-format', message: `${name} must be ${formatText(String(error.params['format']))}; got ${describeValue(value)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'more than', exclusiveMaximum: 'less than' }[error.keyword];
      return { pointer, code: 'out-of-range', message: `${name} must be ${words} ${String(error.params['limit'])}; got ${describeValue(value)}` };
    }
    case 'minLength':
      return { pointer, code: 'out-of-range', message: error.params['limit'] === 1 ? `${name} must not be empty` : `${name} must be at least ${String(error.params['limit'])} characters long` };
    case 'maxLength':
      return { pointer, code: 'out-of-range', message: `${name} must be at most ${String(error.params['limit'])} characters long` };
    case 'minItems':
      return { pointer, code: 'out-of-range', message: error.params['limit'] === 1 ? `${name} must have at least one item` : `${name} must have at least ${String(error.params['limit'])} items` };
    case 'maxItems':
      return { pointer, code: 'out-of-range', message: `${name} must have at most ${String(error.params['limit'])} items` };
    case 'minProperties':
      return { pointer, code: 'out-of-range', message: `${name} must have at least ${String(error.params['limit'])} key${error.params['limit'] === 1 ? '' : 's'}` };
    case 'maxProperties':
      return { pointer, code: 'out-of-range', message: `${name} must have at most ${String(error.params['limit'])} keys` };
    case 'uniqueItems':
      return { pointer, code: codes.value, message: `${name} must not contain the same item twice (items ${String(error.params['j'])} and ${String(error.params['i'])} are equal)` };
    case 'multipleOf':
      return { pointer, code: codes.value, message: `${name} must be a multiple of ${String(error.params['multipleOf'])}; got ${describeValue(value)}` };
    case 'anyOf':
    case 'oneOf': {
      const choice = requiredChoice(parent[error.keyword]);
      if (choice !== undefined && expected === undefined) {
        // `oneOf: [{required: [at]}, {required: [after]}]`: say which keys, not the branches.
        const given = isRecordValue(value) ? choice.filter((key) => Object.hasOwn(value, key)) : [];
        const names = choice.map((key) => `"${key}"`).join(' or ');
        return given.length > 1 && error.keyword === 'oneOf'
          ? { pointer, code: codes.value, message: `${name} must set only one of ${names}, not ${given.length === choice.length && choice.length === 2 ? 'both' : given.map((key) => `"${key}"`).join(' and ')}` }
          : { pointer, code: codes.missing, message: `${name} must set ${error.keyword === 'oneOf' ? 'one of ' : ''}${names}` };
      }
      return { pointer, code: codes.value, message: `${name} must be ${expected ?? 'one of the allowed forms'}; got ${describeValue(value)}` };
    }
    default:
      return { pointer, code: codes.value, message: `${name} ${error.message ?? 'is invalid'}` };
  }
}

/** The keys of `[{required: [a]}, {required: [b]}]` branches (each only requires one key), else undefined. */
function requiredChoice(branches: unknown): string[] | undefined {
  if (!Array.isArray(branches) || branches.length < 2) return undefined;
  const keys: string[] = [];
  for (const branch of branches) {
    if (!isRecordValue(branch) || Object.keys(branch).length !== 1 || !Array.isArray(branch['required']) || branch['required'].length !== 1) return undefined;
    const key: unknown = branch['required'][0];
    if (typeof key !== 'string') return undefined;
    keys.push(key);
  }
  return keys;
}

function isRecordValue(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeIssue(instancePath: string, value: unknown, expected: string, base: string, options: SchemaIssueOptions, code: string): Issue {
  const issue: Issue = { pointer: base + instancePath, code, message: `${describeName(instancePath, options.rootName)} must be ${expected}, got ${describeValue(value)}` };
  TYPE_ISSUES.add(issue);
  return issue;
}

function withSuggestion(issue: Issue, suggestion: string | undefined): Issue {
  return suggestion === undefined ? issue : { ...issue, suggestion };
}

/** `"timeout"`, `"steps[2]"`, or the root's name. */
function describeName(instancePath: string, rootName: string): string {
  const name = nodeName(instancePath);
  return name === undefined ? rootName : `"${name}"`;
}

/** JSON Schema types in words, for every message about a value of the wrong type. */
export const TYPE_WORDS: Readonly<Record<DeclaredType | 'null', string>> = {
  string: 'a string', number: 'a number', integer: 'a whole number', boolean: 'true or false', array: 'a list', object: 'a map', null: 'empty',
};

/** What a schema accepts, in words: its `x-expected`, or its types. */
function expectedText(schema: SchemaObject | undefined, types: unknown[]): string {
  if (schema && typeof schema['x-expected'] === 'string') return schema['x-expected'];
  const words = [...new Set(types.map((type) => (TYPE_WORDS as Readonly<Record<string, string>>)[String(type)] ?? String(type)))];
  if (words.length === 0) return 'of another type';
  return words.length === 1 ? (words[0] as string) : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

const FORMAT_WORDS: Readonly<Record<string, string>> = {
  email: 'an email address', uri: 'a URI like "https://example.com/path"', url: 'a URL like "https://example.com/path"', 'uri-reference': 'a URI or a relative reference',
  hostname: 'a host name', ipv4: 'an IPv4 address', ipv6: 'an IPv6 address', uuid: 'a UUID', date: 'a date like "2025-01-31"',
  time: 'a time like "13:45:00Z"', 'date-time': 'a date and time like "2025-01-31T13:45:00Z"', duration: 'an ISO-8601 duration like "P30D"', regex: 'a regular expression',
};

/** Describes a format (`email` → `an email address`). */
export function formatText(format: string): string {
  return FORMAT_WORDS[format] ?? `in the "${format}" format`;
}

/** Describes a value found in a file: `a list`, `a map`, `nothing`, `"text"`, `42`, `true`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

/** A value in a list of allowed values: strings quoted, everything else as JSON. */
export function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/**
 * Drops repeats, and the follow-on errors of a value whose type is already wrong (a number
 * where a string from a list is expected is one problem, not "not a string" and "not one of").
 */
function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  const wrongType = new Set(issues.filter((issue) => TYPE_ISSUES.has(issue)).map((issue) => issue.pointer));
  return issues.filter((issue) => {
    if (wrongType.has(issue.pointer) && (issue.at ?? 'value') === 'value' && !TYPE_ISSUES.has(issue)) return false;
    const key = `${issue.pointer}|${issue.at ?? 'value'}|${issue.code}|${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A misspelt required key shows up twice: as an unknown key and as a missing key. The unknown
 * key, whose suggestion names the missing one, says it all; the missing-key issue is dropped.
 */
function dropRedundant(issues: Issue[], codes: Record<'unknown' | 'missing' | 'type' | 'value', string>): Issue[] {
  const unknownByMap = new Map<string, string[]>();
  for (const issue of issues) {
    if (issue.code !== codes.unknown) continue;
    const slash = issue.pointer.lastIndexOf('/');
    const map = issue.pointer.slice(0, slash);
    unknownByMap.set(map, [...(unknownByMap.get(map) ?? []), unescape(issue.pointer.slice(slash + 1))]);
  }
  return issues.filter((issue) => {
    if (issue.code !== codes.missing) return true;
    const missing = MISSING_KEY.get(issue);
    const typed = unknownByMap.get(issue.pointer) ?? [];
    return !(missing !== undefined && typed.some((key) => closestMatches(key, [missing]).length > 0));
  });
}

function unescape(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
