import type { LocalProblem } from '../diagnostics/problem.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { DATA_ROOTS, STEP_FIELDS, type ReferenceScope } from './scope.js';

/**
 * The one check, shared by the template checker and the condition checker, of whether a
 * dotted data path (`inputs.reason`, `steps.lookup.output.user.id`) can ever read something
 * at a given place in a workflow. Only what the workflow itself declares is checked: the
 * data roots, declared inputs and variables, step ids and their order, the `steps.<id>.*`
 * and `run.*` fields. Deeper segments (under `output`, `event`, an object input) depend on
 * data that only exists at run time and are left alone.
 */

/**
 * Property names that would reach a prototype or its accessors: never readable, whatever the
 * data holds (even as an own property of data that came from an API).
 */
export const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

/** The one wording for a blocked name, shared by every checker and evaluator. */
export function forbiddenMessage(segment: string): string {
  return `"${segment}" can never be read (it would reach a prototype)`;
}

/** The stable codes {@link checkReference} reports. */
export type ReferenceProblemCode =
  | 'forbidden-property'
  | 'unknown-reference'
  | 'undeclared-input'
  | 'undeclared-var'
  | 'unknown-step'
  | 'later-step'
  | 'unknown-step-field'
  | 'unknown-run-field'
  | 'item-outside-foreach'
  | 'event-unavailable';

/**
 * Checks one path (already split into segments, e.g. `['steps', 'lookup', 'output']`).
 *
 * @returns a problem without a position (the caller knows where the path is written), or
 *   `undefined` when the path may read something.
 */
export function checkReference(path: readonly string[], scope: ReferenceScope): LocalProblem | undefined {
  const forbidden = path.find((segment) => FORBIDDEN_SEGMENTS.has(segment));
  if (forbidden !== undefined) {
    return problem('forbidden-property', forbiddenMessage(forbidden));
  }
  const [root, name, field] = path;
  if (root === undefined) return undefined;
  switch (root) {
    case 'inputs':
      return name === undefined || scope.inputs.has(name) ? undefined : undeclared('undeclared-input', 'input', name, scope.inputs, 'inputs');
    case 'vars':
      return name === undefined || scope.vars.has(name) ? undefined : undeclared('undeclared-var', 'variable', name, scope.vars, 'vars');
    case 'steps':
      return name === undefined ? undefined : checkStep(name, field, scope);
    case 'run':
      if (name === undefined || scope.runFields.has(name)) return undefined;
      return problem('unknown-run-field', `run has no field "${name}" (it has: ${[...scope.runFields].join(', ')})`, didYouMean(name, scope.runFields));
    case 'item':
    case 'index':
      return scope.item ? undefined : problem('item-outside-foreach', `"${root}" is only available in the with: of a step that has foreach (its if: is evaluated once, before the items)`);
    case 'event':
      return scope.event ? undefined : problem('event-unavailable', '"event" is not available here');
    default:
      return unknownRoot(root, scope);
  }
}

function checkStep(id: string, field: string | undefined, scope: ReferenceScope): LocalProblem | undefined {
  if (!scope.stepsBefore.has(id)) {
    if (scope.allSteps.has(id)) return problem('later-step', `step "${id}" runs later, so its output is not available here`);
    return problem('unknown-step', `there is no step "${id}"`, didYouMean(id, scope.allSteps));
  }
  if (field === undefined || STEP_FIELDS.has(field)) return undefined;
  return problem('unknown-step-field', `steps.${id} has no field "${field}" (it has: ${[...STEP_FIELDS].join(', ')})`, didYouMean(field, STEP_FIELDS));
}

function undeclared(code: ReferenceProblemCode, kind: string, name: string, declared: ReadonlySet<string>, section: string): LocalProblem {
  const known = declared.size === 0 ? `the workflow declares no ${section}` : `declared ${section}: ${[...declared].join(', ')}`;
  return problem(code, `${kind} "${name}" is not declared (${known})`, didYouMean(name, declared));
}

/** Roots people reach for that are deliberately not data, and what to do instead. */
const NOT_DATA: Readonly<Record<string, string>> = {
  secrets: 'Secrets are never data: in a template, read one with {{secret "name"}}',
  secret: 'Secrets are never data: in a template, read one with {{secret "name"}}',
  env: 'The environment is not data: declare an organisation variable under vars (set in idflow.config.yaml), or read a secret with {{secret "NAME"}}',
};

function unknownRoot(root: string, scope: ReferenceScope): LocalProblem {
  const roots = [...DATA_ROOTS].filter((r) => ((r === 'item' || r === 'index') ? scope.item : r === 'event' ? scope.event : true));
  return problem('unknown-reference', `"${root}" is not something a template or condition can read (the data has: ${roots.join(', ')})`, NOT_DATA[root] ?? didYouMean(root, roots));
}

function problem(code: ReferenceProblemCode, message: string, suggestion?: string): LocalProblem {
  return suggestion === undefined ? { code, message } : { code, message, suggestion };
}
