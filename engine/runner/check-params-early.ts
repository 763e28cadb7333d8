import type { ErrorObject } from 'ajv';
import type { Problem } from '../diagnostics/problem.js';
import type { RunData, Step, Workflow } from '../language/types.js';
import { conditionReferences, evaluateCondition } from '../conditions/index.js';
import { templateReferences } from '../templating/index.js';
import { classifyError } from '../errors/classify.js';
import { ValidationError } from '../errors/usage-errors.js';
import { parseYaml } from '../loader/parse-yaml.js';
import { describeParamError } from './render-params.js';
import type { RunServices } from './run-services.js';

/**
 * The run data known before the first step: what a parameter reading only these is rendered
 * from at run time is rendered from now, with the same values.
 */
const KNOWN_BEFORE_THE_FIRST_STEP: ReadonlySet<string> = new Set(['inputs', 'vars', 'event', 'run']);

/** The template a run was started from, for pointing problems at their line. */
export interface TemplateSource {
  path: string;
  text: string;
}

/**
 * Checks, before anything runs, every step parameter whose value depends only on the inputs,
 * the organisation variables, the event and `run.*` (not on `steps.*`, `item` or `index`):
 * renders it as the step would and validates it against its action's params schema. A value
 * that would fail its step later (a negative `retention_days` from the config, a malformed
 * email list) then stops the run before its first step changes anything, rather than halfway.
 *
 * @remarks
 * Only what is certain is reported. Steps whose `if` depends on earlier steps are not checked
 * (the condition may guard against exactly this value, e.g. no IT recipients), unless a part of
 * an `and` known now is false; nor are steps whose known `if` is false, nor any step of a
 * workflow whose known `when` is false. For the others, a parameter's own schema errors count
 * (a bad value is bad whenever its step runs: `foreach` and `on_failure` steps included); a
 * parameter that renders to nothing where one is required, or a template that cannot render,
 * counts only for a main step without `foreach` that surely runs. Errors of schema keywords that
 * relate several parameters (`if`/`then`, `oneOf`, …) are left to the step: the parameters that
 * depend on earlier steps are not known yet.
 *
 * @throws ValidationError (`INVALID_PARAMS`, exit 2) listing every problem, each naming the step,
 *   the parameter and what is wrong with its value, at its place in the template when given.
 */
export function checkParamsBeforeRun(workflow: Workflow, data: RunData, services: Pick<RunServices, 'registry' | 'templates' | 'secret' | 'redactor'>, template?: TemplateSource): void {
  if (workflow.when !== undefined && readsOnlyKnown(conditionReferences(workflow.when)) && !holds(workflow.when, data)) return;
  const found: Array<{ pointer: string; message: string; code: string }> = [];
  const sections = [['steps', workflow.steps], ['on_failure', workflow.on_failure]] as const;
  for (const [section, steps] of sections) {
    steps.forEach((step, index) => {
      const surely = surelyRuns(step, data);
      // A step whose "if" depends on earlier steps may be guarded against exactly this value.
      if (surely === 'never' || surely === 'unknown') return;
      // on_failure steps run only if the run fails: never sure.
      for (const problem of checkStep(step, data, services, section === 'steps' && surely === 'yes')) {
        found.push({ ...problem, pointer: `/${section}/${index}/with${problem.key === undefined ? '' : `/${escapePointer(problem.key)}`}` });
      }
    });
  }
  if (found.length === 0) return;
  const locate = locator(template);
  const file = template?.path ?? workflow.id;
  const problems: Problem[] = found.map(({ pointer, message, code }) => ({ file, ...locate(pointer), path: pointer, code, message, severity: 'error' }));
  const count = `${problems.length} parameter problem${problems.length === 1 ? '' : 's'}`;
  throw new ValidationError('INVALID_PARAMS', `${workflow.id} has ${count} with these inputs, variables and event; nothing was run: ${found.map((p) => p.message).join('; ')}`, problems);
}

/**
 * Whether a step surely runs (`yes`), surely does not (`never`), runs unless its `foreach` list
 * is empty (`maybe`), or depends on what earlier steps do (`unknown`: its `if` reads them and
 * no part of it known now is false).
 */
function surelyRuns(step: Step, data: RunData): 'yes' | 'never' | 'maybe' | 'unknown' {
  if (step.if !== undefined) {
    const known = knownOutcome(step.if, data);
    if (known === false) return 'never';
    if (known === undefined) return 'unknown';
  }
  return step.foreach === undefined ? 'yes' : 'maybe';
}

/**
 * A condition's value when it can be known now: it reads only known data, or it is an `and` one
 * of whose known parts is false (`{and: [{var: vars.it_team_emails}, {var: steps.summary.output.changed}]}`
 * with no IT recipients). Undefined otherwise.
 */
function knownOutcome(condition: unknown, data: RunData): boolean | undefined {
  if (readsOnlyKnown(conditionReferences(condition))) {
    try {
      return Boolean(evaluateCondition(condition, data));
    } catch {
      return undefined;
    }
  }
  if (typeof condition === 'object' && condition !== null && !Array.isArray(condition)) {
    const entries = Object.entries(condition);
    const [operator, parts] = entries[0] ?? [];
    if (entries.length === 1 && operator === 'and' && Array.isArray(parts) && parts.some((part) => knownOutcome(part, data) === false)) return false;
  }
  return undefined;
}

function holds(condition: unknown, data: RunData): boolean {
  try {
    return Boolean(evaluateCondition(condition, data));
  } catch {
    return true;
  }
}

function readsOnlyKnown(paths: readonly string[]): boolean {
  return paths.every((path) => KNOWN_BEFORE_THE_FIRST_STEP.has(path.split('.')[0] ?? ''));
}

/** Every template reference in a value, at any depth (literals read nothing). */
function referencesIn(value: unknown): readonly string[] {
  if (typeof value === 'string') return templateReferences(value);
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(referencesIn);
  return [];
}

function checkStep(step: Step, data: RunData, services: Pick<RunServices, 'registry' | 'templates' | 'secret' | 'redactor'>, surely: boolean): Array<{ key?: string; code: string; message: string }> {
  const action = services.registry.get(step.action);
  if (action === undefined) return [];
  const where = `step "${step.id}"`;
  const problems: Array<{ key?: string; code: string; message: string }> = [];
  const rendered: Record<string, unknown> = {};
  const absent = new Set<string>();
  const properties = action.definition.params.properties ?? {};
  for (const [key, value] of Object.entries(step.with)) {
    if (!readsOnlyKnown(referencesIn(value))) continue;
    let result: unknown;
    try {
      result = services.templates.renderValue(value, data, { secret: (name) => services.secret(name), where: `steps.${step.id}.with.${key}` });
    } catch (error) {
      if (surely) problems.push({ key, code: 'invalid-param', message: `${where}, parameter "${key}": ${classifyError(error).message}` });
      continue;
    }
    if (result === undefined || result === null) {
      absent.add(key);
      continue;
    }
    // A parameter the action marks secret is redacted from here on, as renderParams does.
    if (properties[key]?.['x-secret'] === true) services.redactor.add(typeof result === 'string' ? result : JSON.stringify(result));
    rendered[key] = result;
  }
  if (Object.keys(rendered).length === 0 && absent.size === 0) return problems;
  // Validate a copy: ajv's useDefaults would fill it.
  const params = structuredClone(rendered);
  if (action.validateParams(params)) return problems;
  for (const error of action.validateParams.errors ?? []) {
    const key = parameterOf(error, rendered, absent, surely);
    if (key === undefined) continue;
    // A secret (an `x-secret` parameter, or one rendered with the `secret` helper) is never quoted.
    const secret = properties[key]?.['x-secret'] === true || JSON.stringify(step.with[key]).includes('secret');
    problems.push({ key, code: 'invalid-param', message: `${where} (${step.action}): ${describeProblem(error, secret ? undefined : rendered[key], key)}` });
  }
  return problems;
}

/**
 * The known parameter an error is about, or undefined for an error this check cannot judge:
 * one from a keyword relating several parameters, or a missing one that depends on earlier steps.
 */
function parameterOf(error: ErrorObject, rendered: Record<string, unknown>, absent: ReadonlySet<string>, surely: boolean): string | undefined {
  if (error.keyword === 'required' && error.schemaPath === '#/required') {
    const missing = String((error.params as { missingProperty?: string }).missingProperty);
    return surely && absent.has(missing) ? missing : undefined;
  }
  for (const key of Object.keys(rendered)) {
    if (error.schemaPath.startsWith(`#/properties/${escapePointer(key)}/`)) return key;
  }
  return undefined;
}

/** `parameter "retention_days" must be >= 0, got -3`: the parameter, what is wrong, and what it rendered to. */
function describeProblem(error: ErrorObject, value: unknown, key: string): string {
  const text = value === undefined && (error.keyword === 'type' || error.keyword === 'enum') ? `"${key}" ${error.message ?? 'is invalid'}` : describeParamError(error);
  if (error.keyword === 'required') return `parameter "${key}" is required, but its template rendered to nothing`;
  const prefix = `"${key}" `;
  if (!text.startsWith(prefix)) return `parameter "${key}": ${text}`;
  // type and enum errors already say what they got.
  const got = error.keyword === 'type' || error.keyword === 'enum' ? '' : typeof value === 'number' || typeof value === 'boolean' ? `, got ${String(value)}` : typeof value === 'string' && value.length <= 60 ? `, got ${JSON.stringify(value)}` : '';
  return `parameter "${key}" ${text.slice(prefix.length)}${got}`;
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Positions of pointers in the template, read only when there is a problem to place. */
function locator(template: TemplateSource | undefined): (pointer: string) => { line: number; column: number; length?: number } {
  if (template === undefined) return () => ({ line: 0, column: 0 });
  const parsed = parseYaml(template.text, template.path, { what: 'template' });
  return (pointer) => {
    const place = parsed.map.locate(pointer, 'value');
    return { line: place.line, column: place.column, ...(place.length === undefined ? {} : { length: place.length }) };
  };
}
