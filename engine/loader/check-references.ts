import type { LocalProblem } from '../diagnostics/problem.js';
// The checkers' own modules, not the folders' index modules: those also export evaluation and
// rendering (json-logic-js, Handlebars' compiler), which checking a template never needs.
import { checkCondition } from '../conditions/check-condition.js';
import type { ReferenceScope } from '../language/scope.js';
import { checkTemplate } from '../templating/check-template.js';
import { isTemplate } from '../templating/template-references.js';
import type { Issue } from './issue.js';
import { childPointer } from '../diagnostics/json-pointer.js';
import { ScopeBuilder } from './scopes.js';
import { declaredNames, isRecord, stepEntries } from './workflow-data.js';

/**
 * Runs every condition and template string of a workflow through the static checkers of
 * `engine/conditions` and `engine/templating`, each with the {@link ReferenceScope} of its place
 * (see {@link ScopeBuilder}), so that syntax errors, unknown operators and helpers, and
 * references to undeclared inputs or vars and to missing or later steps are found before a run.
 *
 * Templates: step `with:` values at any depth, `foreach` when a string, `subject`, `output`
 * leaves, trigger `inputs` values. Conditions: `when`, step `if`, trigger `if`.
 */
export function checkReferences(data: unknown): Issue[] {
  if (!isRecord(data)) return [];
  const entries = stepEntries(data);
  const ids = (phase: 'steps' | 'on_failure') => entries.filter((entry) => entry.phase === phase && entry.id !== undefined).map((entry) => entry.id as string);
  const scopes = new ScopeBuilder({ inputs: declaredNames(data, 'inputs'), vars: declaredNames(data, 'vars'), steps: ids('steps'), onFailure: ids('on_failure') });
  const issues: Issue[] = [];

  const workflowScope = scopes.workflow();
  if (isCondition(data['when'])) conditionIssues(data['when'], '/when', workflowScope, issues);
  if (typeof data['subject'] === 'string') templateIssues(data['subject'], '/subject', workflowScope, issues);

  if (Array.isArray(data['triggers'])) {
    const triggerScope = scopes.trigger();
    data['triggers'].forEach((trigger: unknown, index) => {
      if (!isRecord(trigger)) return;
      const pointer = `/triggers/${index}`;
      const found: Issue[] = [];
      if (isCondition(trigger['if'])) conditionIssues(trigger['if'], `${pointer}/if`, triggerScope, found);
      if (isRecord(trigger['inputs'])) walkTemplates(trigger['inputs'], `${pointer}/inputs`, triggerScope, found);
      issues.push(...found.map(explainTriggerInputs));
    });
  }

  for (const entry of entries) {
    const { step, pointer } = entry;
    const foreach = step['foreach'] !== undefined;
    const plain = scopes.step(entry.phase, entry.index, false);
    if (isCondition(step['if'])) conditionIssues(step['if'], `${pointer}/if`, plain, issues);
    if (typeof step['foreach'] === 'string') templateIssues(step['foreach'], `${pointer}/foreach`, plain, issues);
    else if (Array.isArray(step['foreach'])) walkTemplates(step['foreach'], `${pointer}/foreach`, plain, issues);
    if (isRecord(step['with'])) walkTemplates(step['with'], `${pointer}/with`, foreach ? scopes.step(entry.phase, entry.index, true) : plain, issues);
  }

  if (data['output'] !== undefined) walkTemplates(data['output'], '/output', scopes.output(), issues);
  return issues;
}

/** What the schema accepts as a condition; anything else is already reported by the schema. */
function isCondition(value: unknown): boolean {
  return typeof value === 'boolean' || isRecord(value);
}

function conditionIssues(rule: unknown, pointer: string, scope: ReferenceScope, issues: Issue[]): void {
  for (const local of checkCondition(rule, scope)) issues.push(fromLocal(local, pointer, 'value'));
}

function templateIssues(text: string, pointer: string, scope: ReferenceScope, issues: Issue[]): void {
  if (!isTemplate(text)) return;
  for (const local of checkTemplate(text, scope)) issues.push(fromLocal(local, pointer, 'value'));
}

/** Checks every string leaf under `value` (maps and lists at any depth) as a template. */
function walkTemplates(value: unknown, pointer: string, scope: ReferenceScope, issues: Issue[]): void {
  if (typeof value === 'string') templateIssues(value, pointer, scope, issues);
  else if (Array.isArray(value)) value.forEach((item, index) => walkTemplates(item, childPointer(pointer, index), scope, issues));
  else if (isRecord(value)) for (const [key, item] of Object.entries(value)) walkTemplates(item, childPointer(pointer, key), scope, issues);
}

/**
 * In a trigger, `inputs.*` is what the trigger produces, not something it can read; the
 * checker, which sees an empty set of inputs there, would say the input is not declared.
 */
function explainTriggerInputs(issue: Issue): Issue {
  if (issue.code !== 'undeclared-input') return issue;
  const { suggestion: _none, ...rest } = issue;
  return { ...rest, message: 'a trigger cannot read inputs: its "inputs:" are what it produces for the run', suggestion: 'Read the event (event.*), vars or run here' };
}

function fromLocal(local: LocalProblem, pointer: string, at: 'value'): Issue {
  return {
    pointer, at, code: local.code, message: local.message, local,
    ...(local.suggestion === undefined ? {} : { suggestion: local.suggestion }),
    ...(local.severity === undefined ? {} : { severity: local.severity }),
  };
}
