import type { LocalProblem } from '../diagnostics/problem.js';
import { escapeSegment } from '../diagnostics/json-pointer.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { FORBIDDEN_SEGMENTS, forbiddenMessage } from '../language/reference-check.js';
import { ITERATING_OPERATORS, OPERATOR_HINTS, OPERATORS } from './operators.js';

/**
 * One walk over a JSON-logic rule that the checker, the reference extractor and the evaluator
 * share: it reports the problems that need no knowledge of the workflow (not a rule, unknown
 * operator, wrong number of arguments, a blocked property name) and every data path the rule
 * reads (`var`, `missing`, `missing_some`), with where it is and what it is relative to.
 */

/**
 * What a `var` inside the rule reads: `root` is the run data; `item` is the current item of
 * `map`/`filter`/`all`/`some`/`none`; `reduce` is `{current, accumulator}` of `reduce`.
 */
export type VarScope = 'root' | 'item' | 'reduce';

/** One data path read by a rule. */
export interface ConditionPath {
  /** The dotted path split into segments (`[]` for the whole data). */
  segments: string[];
  /** JSON pointer of the path inside the rule, e.g. `/and/1/==/0/var`. */
  pointer: string;
  scope: VarScope;
}

/** What {@link walkCondition} found. */
export interface ConditionWalk {
  problems: LocalProblem[];
  paths: ConditionPath[];
}

/** Walks a rule (any JSON value: literals are valid rules too). */
export function walkCondition(rule: unknown): ConditionWalk {
  const walk: ConditionWalk = { problems: [], paths: [] };
  visit(rule, '', 'root', walk);
  return walk;
}

/** Walks already made by {@link walkConditionOnce}, by rule object. */
const walked = new WeakMap<object, Readonly<ConditionWalk>>();

/**
 * {@link walkCondition} for the run path: a rule object is walked once and its walk reused
 * (read-only), since the evaluator walks a step's `if` every time it runs and the run's early
 * parameter check walks them all again for every run. Keyed by the rule object itself, as the
 * loaded workflow holds it: the rules of a loaded workflow are never changed, and a rule built
 * anew (another object) is walked anew. Literal rules (`true`, `"x"`) are walked each time
 * (there is nothing in them to walk).
 */
export function walkConditionOnce(rule: unknown): Readonly<ConditionWalk> {
  if (typeof rule !== 'object' || rule === null) return walkCondition(rule);
  let walk = walked.get(rule);
  if (walk === undefined) {
    const fresh = walkCondition(rule);
    walk = Object.freeze({ problems: Object.freeze(fresh.problems) as LocalProblem[], paths: Object.freeze(fresh.paths) as ConditionPath[] });
    walked.set(rule, walk);
  }
  return walk;
}

function visit(node: unknown, pointer: string, scope: VarScope, walk: ConditionWalk): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => visit(item, `${pointer}/${i}`, scope, walk));
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const keys = Object.keys(node);
  const [op] = keys;
  if (op === undefined || keys.length > 1) {
    const what = keys.length === 0 ? 'an empty object' : `an object with ${keys.length} keys (${keys.join(', ')})`;
    problem(walk, pointer, 'condition-not-a-rule', `${what} is not a rule: a rule is an object with exactly one key, its operator, e.g. {"==": [{"var": "inputs.mode"}, "delete"]}`);
    return;
  }
  const raw = (node as Record<string, unknown>)[op];
  const opPointer = `${pointer}/${escapeSegment(op)}`;
  const args = Array.isArray(raw) ? raw : [raw];
  const argPointer = (i: number): string => (Array.isArray(raw) ? `${opPointer}/${i}` : opPointer);
  const spec = OPERATORS.get(op);
  if (spec === undefined) {
    // Edit distance between symbols suggests nonsense: only names of 3+ characters get it.
    const hint = OPERATOR_HINTS.get(op) ?? (op.length >= 3 ? didYouMean(op, OPERATORS.keys()) : undefined);
    problem(walk, opPointer, 'unknown-operator', `unknown operator "${op}"`, hint);
  } else if (args.length < spec.min || args.length > spec.max) {
    const wanted = spec.min === spec.max ? `${spec.min} argument${spec.min === 1 ? '' : 's'}` : spec.max === Infinity ? `at least ${spec.min} argument${spec.min === 1 ? '' : 's'}` : `${spec.min} to ${spec.max} arguments`;
    problem(walk, opPointer, 'operator-arity', `"${op}" takes ${wanted}, got ${args.length}`);
  }
  switch (op) {
    case 'var': {
      const [path, fallback] = args;
      if (typeof path === 'string' || typeof path === 'number') readPath(walk, String(path), argPointer(0), scope);
      else if (path !== undefined && path !== null) visit(path, argPointer(0), scope, walk);
      if (args.length > 1) visit(fallback, argPointer(1), scope, walk);
      return;
    }
    case 'missing': {
      // Either the paths as arguments, or one argument that is a list of paths.
      const [first] = args;
      if (args.length === 1 && Array.isArray(first)) first.forEach((path, i) => missingPath(walk, path, `${argPointer(0)}/${i}`, scope));
      else args.forEach((path, i) => missingPath(walk, path, argPointer(i), scope));
      return;
    }
    case 'missing_some': {
      visit(args[0], argPointer(0), scope, walk);
      const paths = args[1];
      if (Array.isArray(paths)) paths.forEach((path, i) => missingPath(walk, path, `${argPointer(1)}/${i}`, scope));
      else visit(paths, argPointer(1), scope, walk);
      return;
    }
  }
  if (ITERATING_OPERATORS.has(op)) {
    visit(args[0], argPointer(0), scope, walk);
    if (args.length > 1) visit(args[1], argPointer(1), op === 'reduce' ? 'reduce' : 'item', walk);
    if (args.length > 2) visit(args[2], argPointer(2), scope, walk);
    for (let i = 3; i < args.length; i++) visit(args[i], argPointer(i), scope, walk);
    return;
  }
  args.forEach((arg, i) => visit(arg, argPointer(i), scope, walk));
}

function missingPath(walk: ConditionWalk, path: unknown, pointer: string, scope: VarScope): void {
  if (typeof path === 'string' || typeof path === 'number') readPath(walk, String(path), pointer, scope);
  else visit(path, pointer, scope, walk);
}

function readPath(walk: ConditionWalk, path: string, pointer: string, scope: VarScope): void {
  const segments = path === '' ? [] : path.split('.');
  const forbidden = segments.find((s) => FORBIDDEN_SEGMENTS.has(s));
  if (forbidden !== undefined) {
    problem(walk, pointer, 'forbidden-property', forbiddenMessage(forbidden));
    return;
  }
  if (scope === 'reduce' && segments.length > 0 && segments[0] !== 'current' && segments[0] !== 'accumulator') {
    problem(walk, pointer, 'unknown-reference', `inside "reduce", "var" reads "current" (the item) or "accumulator", not "${segments[0] ?? ''}"`, didYouMean(segments[0] ?? '', ['current', 'accumulator']));
    return;
  }
  walk.paths.push({ segments, pointer, scope });
}

function problem(walk: ConditionWalk, path: string, code: string, message: string, suggestion?: string): void {
  walk.problems.push({ code, message, severity: 'error', path, ...(suggestion === undefined ? {} : { suggestion }) });
}
