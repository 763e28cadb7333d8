import { isDeepStrictEqual } from 'node:util';
import { FORBIDDEN_SEGMENTS } from '../language/reference-check.js';
import { isEmptyObject } from './block-helpers.js';
import { formatDate, parseDate } from './format-date.js';
import type { SecretTaint } from './secret-taint.js';
import type { HbsLocation } from './template-ast.js';
import { isKnownAfterRun, knownAfterRun, type KnownAfterRun } from '../plugin-api/known-after-run.js';

/**
 * The helpers a template may call. They are plain functions of their arguments (no `this`,
 * no Handlebars options), so the same code serves a rendered string and a single expression
 * that keeps its type. Handlebars' `strict` mode does not look at helper arguments, so every
 * helper refuses `undefined` itself (through {@link HelperSpec.acceptsMissing}), except
 * `default`, which exists to handle absent values.
 */

/** What a helper gets besides its arguments. */
export interface HelperCall {
  /** Looks up a secret by name (the `secret` helper); absent when the render was given none. */
  secret: ((name: string) => string | undefined) | undefined;
  /** Follows what the render derives from secrets (see secret-taint.ts); absent when nobody listens. */
  taint?: SecretTaint | undefined;
}

/** One helper: its arity (checked statically and at run time) and its implementation. */
export interface HelperSpec {
  name: string;
  /** Fewest positional arguments. */
  min: number;
  /** Most positional arguments (`Infinity` for any number). */
  max: number;
  /** Whether `undefined` arguments are accepted (only `default`). */
  acceptsMissing?: boolean;
  /**
   * What the helper makes of an argument known only after the run (in a plan): `value` takes it
   * as any value (`default`, `list`); `text` writes it out as `(known after run: …)`, which makes
   * the text known only after the run too (`concat`; `join` does so for list items); `logic`
   * decides without it when the other arguments can (`and`, `or`); by default the result is
   * itself known only after the run.
   */
  unknown?: 'value' | 'text' | 'logic';
  /** One line for the helper reference (docs/language.md). */
  summary: string;
  /** An example call. */
  example: string;
  fn: (args: readonly unknown[], call: HelperCall) => unknown;
}

/**
 * A helper was called wrongly: too few or too many arguments, a missing value, or a value of
 * the wrong kind. `argIndex` (0-based) names the argument when one is at fault; the template
 * engine turns it into a {@link TemplateError} that quotes the expression and, for a missing
 * value, says which path read nothing.
 */
export class HelperInputError extends Error {
  readonly helper: string;
  readonly argIndex: number | undefined;
  /** True when the argument had no value at all (`undefined`). */
  readonly missing: boolean;
  /** Where the failing call is written (set by the caller, which knows the syntax tree). */
  loc: HbsLocation | undefined;
  constructor(helper: string, message: string, options: { argIndex?: number; missing?: boolean } = {}) {
    super(message);
    this.name = 'HelperInputError';
    this.helper = helper;
    this.argIndex = options.argIndex;
    this.missing = options.missing ?? false;
    this.loc = undefined;
  }
}

/** The first argument that is not null, undefined or `""`; otherwise the last argument. */
function defaultHelper(args: readonly unknown[]): unknown {
  for (const value of args) if (value !== undefined && value !== null && value !== '') return value;
  return args.at(-1);
}

/** The value as JSON text; an optional second argument indents it by that many spaces (0–10). */
function jsonHelper(args: readonly unknown[]): string {
  const indent = args[1];
  if (indent !== undefined && !(typeof indent === 'number' && Number.isInteger(indent) && indent >= 0 && indent <= 10)) {
    throw new HelperInputError('json', `"json" takes an indent of 0 to 10 spaces as its argument 2, got ${describeValue(indent)}`, { argIndex: 1 });
  }
  return JSON.stringify(args[0], null, indent) ?? '';
}

/** Lower-cases text. */
function lowerHelper(args: readonly unknown[]): string {
  return text('lower', args[0], 0).toLowerCase();
}

/** Upper-cases text. */
function upperHelper(args: readonly unknown[]): string {
  return text('upper', args[0], 0).toUpperCase();
}

/** Removes leading and trailing white space. */
function trimHelper(args: readonly unknown[]): string {
  return text('trim', args[0], 0).trim();
}

/** Joins a list into text with a separator (default `", "`); null items become empty text. */
function joinHelper(args: readonly unknown[]): string {
  const list = listArgument('join', args[0], 0);
  const separator = args[1] === undefined ? ', ' : text('join', args[1], 1);
  return list.map((item, i) => (item === null ? '' : itemText('join', item, i))).join(separator);
}

/** The number of items of a list, characters of a text, or keys of an object. */
function lengthHelper(args: readonly unknown[]): number {
  const value = args[0];
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (isPlainObject(value)) return Object.keys(value).length;
  throw new HelperInputError('length', `"length" needs a list, text or object as its argument 1, got ${describeValue(value)}`, { argIndex: 0 });
}

/** True when both values are equal (deep, strict: `1` is not `"1"`). */
function eqHelper(args: readonly unknown[]): boolean {
  return isDeepStrictEqual(args[0], args[1]);
}

/** True when the values differ (deep, strict). */
function neHelper(args: readonly unknown[]): boolean {
  return !isDeepStrictEqual(args[0], args[1]);
}

/**
 * Compares two numbers or two texts (texts by character order, which suits ISO dates). Null
 * on either side gives false, as in conditions: a missing value is never greater or smaller.
 */
function compare(name: string, args: readonly unknown[], test: (order: number) => boolean): boolean {
  const [a, b] = args;
  if (a === null || b === null) return false;
  if (typeof a === 'number' && typeof b === 'number') return test(a - b);
  if (typeof a === 'string' && typeof b === 'string') return test(a < b ? -1 : a > b ? 1 : 0);
  throw new HelperInputError(name, `"${name}" compares two numbers or two texts, got ${describeValue(a)} and ${describeValue(b)}`);
}

/** `a > b` for two numbers or two texts; false when either is null. */
function gtHelper(args: readonly unknown[]): boolean {
  return compare('gt', args, (order) => order > 0);
}

/** `a >= b` for two numbers or two texts; false when either is null. */
function gteHelper(args: readonly unknown[]): boolean {
  return compare('gte', args, (order) => order >= 0);
}

/** `a < b` for two numbers or two texts; false when either is null. */
function ltHelper(args: readonly unknown[]): boolean {
  return compare('lt', args, (order) => order < 0);
}

/** `a <= b` for two numbers or two texts; false when either is null. */
function lteHelper(args: readonly unknown[]): boolean {
  return compare('lte', args, (order) => order <= 0);
}

/** True when every argument is truthy (false, null, 0, "", [] and {} are falsy). */
function andHelper(args: readonly unknown[]): boolean {
  return args.every(isTruthy);
}

/** True when any argument is truthy. */
function orHelper(args: readonly unknown[]): boolean {
  return args.some(isTruthy);
}

/** True when the argument is falsy. */
function notHelper(args: readonly unknown[]): boolean {
  return !isTruthy(args[0]);
}

/**
 * Joins texts (numbers and booleans are written out, null is empty) into one text; when every
 * argument is a list, the lists are joined into one list instead.
 */
function concatHelper(args: readonly unknown[]): string | unknown[] {
  if (args.every(Array.isArray)) return (args as unknown[][]).flat(1);
  return args.map((value, i) => (value === null ? '' : itemText('concat', value, i, 'argument'))).join('');
}

/** From a list of objects, the list of their values under one key. */
function pluckHelper(args: readonly unknown[]): unknown[] {
  const list = listArgument('pluck', args[0], 0);
  const key = text('pluck', args[1], 1);
  if (FORBIDDEN_SEGMENTS.has(key)) throw new HelperInputError('pluck', `"pluck" can never read "${key}"`, { argIndex: 1 });
  return list.map((item, i) => {
    if (!isPlainObject(item)) throw new HelperInputError('pluck', `"pluck" needs a list of objects, but item ${i} is ${describeValue(item)}`, { argIndex: 0 });
    if (!Object.hasOwn(item, key) || item[key] === undefined) {
      throw new HelperInputError('pluck', `"pluck": item ${i} has no "${key}" (it has: ${Object.keys(item).join(', ') || 'nothing'})`, { argIndex: 1 });
    }
    return item[key];
  });
}

/**
 * Formats a date (an ISO-8601 string, milliseconds since the epoch, or `"now"`) in UTC with
 * the tokens `YYYY`, `MM`, `DD`, `HH`, `mm`, `ss`, or as `"iso"` (the default).
 */
function dateHelper(args: readonly unknown[]): string {
  const [value, format = 'iso'] = args;
  if (typeof format !== 'string') throw new HelperInputError('date', `"date" needs a format text as its argument 2 (e.g. "YYYY-MM-DD" or "iso"), got ${describeValue(format)}`, { argIndex: 1 });
  let date: Date | undefined;
  if (value === 'now') date = new Date();
  else if (typeof value === 'string' || typeof value === 'number') date = parseDate(value);
  if (date === undefined) {
    throw new HelperInputError('date', `"date" needs an ISO-8601 date, milliseconds or "now" as its argument 1, got ${describeValue(value)}`, { argIndex: 0 });
  }
  return formatDate(date, format);
}

/** A secret by name, from the config or the environment; the name must be a quoted string. */
function secretHelper(args: readonly unknown[], call: HelperCall): string {
  const name = args[0];
  if (typeof name !== 'string') throw new HelperInputError('secret', `"secret" needs the secret's name as a quoted string, got ${describeValue(name)}`, { argIndex: 0 });
  const value = call.secret?.(name);
  if (value === undefined) throw new HelperInputError('secret', `secret "${name}" is not configured`, { argIndex: 0 });
  call.taint?.addSecret(value);
  return value;
}

/** Its arguments as a list: the way to write a literal list, e.g. an empty one as a fallback. */
function listHelper(args: readonly unknown[]): unknown[] {
  return [...args];
}

/** Every helper, by name. */
export const HELPERS: ReadonlyMap<string, HelperSpec> = new Map(
  (
    [
      { name: 'default', unknown: 'value', min: 2, max: Infinity, acceptsMissing: true, fn: defaultHelper, summary: 'the first argument that is not null, undefined or "" (otherwise the last one)', example: '{{default inputs.manager_email vars.it_email}}' },
      { name: 'json', min: 1, max: 2, fn: jsonHelper, summary: 'the value as JSON; an optional indent (0-10)', example: '{{json steps.lookup.output.user}}' },
      { name: 'lower', min: 1, max: 1, fn: lowerHelper, summary: 'lower-cased text', example: '{{lower inputs.email}}' },
      { name: 'upper', min: 1, max: 1, fn: upperHelper, summary: 'upper-cased text', example: '{{upper inputs.country}}' },
      { name: 'trim', min: 1, max: 1, fn: trimHelper, summary: 'text without leading and trailing white space', example: '{{trim inputs.reason}}' },
      { name: 'join', min: 1, max: 2, fn: joinHelper, summary: 'a list joined into text with a separator (default ", ")', example: '{{join steps.groups.output.names ", "}}' },
      { name: 'length', min: 1, max: 1, fn: lengthHelper, summary: 'the number of items of a list, characters of a text, or keys of an object', example: '{{length steps.groups.output.groups}}' },
      { name: 'eq', min: 2, max: 2, fn: eqHelper, summary: 'true when both values are equal (deep and strict: 1 is not "1")', example: '{{#if (eq vars.mode "delete")}}…{{/if}}' },
      { name: 'ne', min: 2, max: 2, fn: neHelper, summary: 'true when the values differ', example: '{{#if (ne steps.lookup.status "skipped")}}…{{/if}}' },
      { name: 'gt', min: 2, max: 2, fn: gtHelper, summary: 'a > b, for two numbers or two texts; false when either is null', example: '{{#if (gt (length steps.groups.output.groups) 0)}}…{{/if}}' },
      { name: 'gte', min: 2, max: 2, fn: gteHelper, summary: 'a >= b (as gt)', example: '{{gte inputs.days 30}}' },
      { name: 'lt', min: 2, max: 2, fn: ltHelper, summary: 'a < b (as gt)', example: '{{lt inputs.days 30}}' },
      { name: 'lte', min: 2, max: 2, fn: lteHelper, summary: 'a <= b (as gt)', example: '{{lte inputs.days 30}}' },
      { name: 'and', unknown: 'logic', min: 2, max: Infinity, fn: andHelper, summary: 'true when every argument is truthy (false, null, 0, "", [] and {} are not)', example: '{{#if (and inputs.notify vars.smtp_host)}}…{{/if}}' },
      { name: 'or', unknown: 'logic', min: 2, max: Infinity, fn: orHelper, summary: 'true when any argument is truthy', example: '{{#if (or inputs.force vars.always)}}…{{/if}}' },
      { name: 'not', min: 1, max: 1, fn: notHelper, summary: 'true when the argument is falsy', example: '{{#if (not inputs.dry)}}…{{/if}}' },
      { name: 'concat', unknown: 'text', min: 2, max: Infinity, fn: concatHelper, summary: 'texts joined into one text, or lists joined into one list', example: '{{concat "offboarded-" inputs.username}}' },
      { name: 'list', unknown: 'value', min: 0, max: Infinity, fn: listHelper, summary: 'its arguments as a list (no arguments: an empty list)', example: '{{default steps.backup.output.includes (list)}}' },
      { name: 'pluck', min: 2, max: 2, fn: pluckHelper, summary: 'from a list of objects, the list of their values under one key', example: '{{join (pluck steps.groups.output.groups "name") ", "}}' },
      { name: 'date', min: 1, max: 2, fn: dateHelper, summary: 'a date (ISO-8601, milliseconds or "now") formatted in UTC with YYYY MM DD HH mm ss, or "iso" (the default)', example: '{{date "now" "YYYY-MM-DD"}}' },
      { name: 'secret', min: 1, max: 1, fn: secretHelper, summary: 'a secret by name (a quoted string), from the config or the environment', example: '{{secret "smtp_password"}}' },
    ] satisfies HelperSpec[]
  ).map((spec) => [spec.name, spec]),
);

/** Handlebars' block helpers idflow keeps, with the named arguments each accepts. */
export const BLOCK_HELPERS: ReadonlyMap<string, { hash: readonly string[] }> = new Map([
  ['if', { hash: ['includeZero'] }],
  ['unless', { hash: ['includeZero'] }],
  ['each', { hash: [] }],
  ['with', { hash: [] }],
]);

/** The names a template may call: our helpers and the block helpers. */
export const HELPER_NAMES: readonly string[] = [...HELPERS.keys(), ...BLOCK_HELPERS.keys()];

/**
 * Calls a helper after checking its arity and that no argument is missing, and reports what it
 * derived from a secret to the render's taint (the one place every helper call goes through,
 * from a Handlebars render and a single expression alike, at any depth of sub-expression).
 * @throws HelperInputError
 */
export function callHelper(spec: HelperSpec, args: readonly unknown[], call: HelperCall): unknown {
  const arity = arityProblem(spec.name, spec.min, spec.max, args.length);
  if (arity !== undefined) throw new HelperInputError(spec.name, arity);
  if (spec.acceptsMissing !== true) {
    const missing = args.indexOf(undefined);
    if (missing >= 0) throw new HelperInputError(spec.name, `"${spec.name}" needs a value for its argument ${missing + 1}, but it has none`, { argIndex: missing, missing: true });
  }
  const unknown = args.filter(isKnownAfterRun);
  const result = unknown.length === 0 || spec.unknown === 'value' || spec.unknown === 'text' ? spec.fn(args, call) : overUnknown(spec, args, unknown);
  call.taint?.followCall(args, result);
  return result;
}

/**
 * A helper's result over arguments known only after the run (in a plan): `and`/`or` decided by
 * the known arguments when they can be, anything else known only after the run as well.
 */
function overUnknown(spec: HelperSpec, args: readonly unknown[], unknown: readonly KnownAfterRun[]): unknown {
  const known = args.filter((arg) => !isKnownAfterRun(arg));
  if (spec.name === 'and' && !known.every(isTruthy)) return false;
  if (spec.name === 'or' && known.some(isTruthy)) return true;
  return knownAfterRun(`"${spec.name}" of the ${[...new Set(unknown.map((u) => u.description))].join(' and the ')}`);
}

/** `"upper" takes 1 argument, got 2`, or undefined when the count fits. */
export function arityProblem(name: string, min: number, max: number, count: number): string | undefined {
  if (count >= min && count <= max) return undefined;
  const wanted = min === max ? `${min} argument${min === 1 ? '' : 's'}` : max === Infinity ? `at least ${min} arguments` : `${min} to ${max} arguments`;
  return `"${name}" takes ${wanted}, got ${count}`;
}

/**
 * Truthiness as `#if` sees it: false, null, undefined, 0, NaN, "", [] and {} are falsy. An empty
 * object is what a step that returned nothing shows as its output (see block-helpers.ts), so
 * `(and steps.x.output …)` agrees with `{{#if steps.x.output}}`.
 */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isEmptyObject(value)) return false;
  return Boolean(value);
}

/** A few words for the kind of a value, for messages (never the value itself: it may be private). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return 'an object';
}

function text(helper: string, value: unknown, argIndex: number): string {
  if (typeof value === 'string') return value;
  // In a plan: written out as "(known after run: …)", and the render notes it (known-after-run.ts).
  if (isKnownAfterRun(value)) return value.toString();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new HelperInputError(helper, `"${helper}" needs text for its argument ${argIndex + 1}, got ${describeValue(value)}`, { argIndex });
}

function itemText(helper: string, value: unknown, index: number, what: 'item' | 'argument' = 'item'): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || isKnownAfterRun(value)) return String(value);
  const where = what === 'item' ? `item ${index} of the list` : `argument ${index + 1}`;
  throw new HelperInputError(helper, `"${helper}" can only join text, numbers and booleans, but ${where} is ${describeValue(value)}${what === 'item' && isPlainObject(value) ? ' (pick a field first with pluck)' : ''}`, what === 'argument' ? { argIndex: index } : { argIndex: 0 });
}

function listArgument(helper: string, value: unknown, argIndex: number): unknown[] {
  if (Array.isArray(value)) return value;
  throw new HelperInputError(helper, `"${helper}" needs a list as its argument ${argIndex + 1}, got ${describeValue(value)}`, { argIndex });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
