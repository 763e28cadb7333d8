import type { Condition, Step, ValueDeclaration, Workflow } from '../language/types.js';
import type { TriggerSummary, WorkflowSummary } from './workflow-summary.js';

/** An input or variable as a workflow's page shows it: its declaration, never a secret's default. */
export type DeclarationView = Omit<ValueDeclaration, 'default'> & { default?: unknown };

/** An organisation variable: its declaration and the value runs get now (left out for secrets). */
export type VariableView = DeclarationView & { value?: unknown };

/** A trigger in full: its summary, the `if` that narrows it and how it fills the inputs. */
export type TriggerDetail = TriggerSummary & { if?: Condition; inputs?: Record<string, unknown> };

/** A step as a flow drawing needs it: what runs, under which condition; not its parameters. */
export interface StepOutline {
  id: string;
  name?: string;
  action: string;
  if?: Condition;
  /** The list the step runs over (a template or a literal list). */
  foreach?: string | readonly unknown[];
  /** The run goes on when the step fails. */
  continueOnError: boolean;
}

/** One workflow in full: its summary plus inputs, variables, triggers, steps and its YAML. */
export interface WorkflowDetail extends WorkflowSummary {
  version?: string;
  /** The template naming who or what a run acts on (e.g. `{{inputs.email}}`). */
  subject?: string;
  inputs: Record<string, DeclarationView>;
  vars: Record<string, VariableView>;
  /** A condition that must hold for a run to do anything. */
  when?: Condition;
  triggers: TriggerDetail[];
  steps: StepOutline[];
  /** The steps run when the run fails. */
  onFailure: StepOutline[];
  /**
   * The template file's text, as loaded, with the defaults of inputs and variables declared
   * `secret` replaced by `[REDACTED]` (a literal secret under a secret-like key is refused at load).
   */
  source: string;
}

/**
 * Describes a served workflow for `GET /api/workflows/{id}` and the console's workflow page.
 *
 * @param summary - the workflow's line of `GET /api/workflows`.
 * @param vars - the values runs get for its organisation variables now, or undefined when they
 *   cannot be resolved (the config lacks one: a run says so when it starts).
 */
export function describeWorkflow(workflow: Workflow, source: string, summary: WorkflowSummary, vars: Readonly<Record<string, unknown>> | undefined): WorkflowDetail {
  return {
    ...summary,
    ...(workflow.version === undefined ? {} : { version: workflow.version }),
    ...(workflow.subject === undefined ? {} : { subject: workflow.subject }),
    inputs: mapValues(workflow.inputs, declaration),
    vars: mapValues(workflow.vars, (declared, name) => {
      const shown: VariableView = declaration(declared);
      if (declared.secret !== true && vars !== undefined && Object.hasOwn(vars, name)) shown.value = vars[name];
      return shown;
    }),
    ...(workflow.when === undefined ? {} : { when: workflow.when }),
    triggers: workflow.triggers.map((trigger, index): TriggerDetail => ({
      ...(summary.triggers[index] ?? { type: trigger.type }),
      ...('if' in trigger && trigger.if !== undefined ? { if: trigger.if } : {}),
      ...('inputs' in trigger && trigger.inputs !== undefined ? { inputs: trigger.inputs } : {}),
    })),
    steps: workflow.steps.map(outline),
    onFailure: workflow.on_failure.map(outline),
    source: withoutSecretDefaults(source, [...Object.values(workflow.inputs), ...Object.values(workflow.vars)]),
  };
}

/** The text with every secret declaration's default (as text, JSON or number) replaced by `[REDACTED]`. */
function withoutSecretDefaults(source: string, declarations: readonly ValueDeclaration[]): string {
  let text = source;
  for (const declared of declarations) {
    if (declared.secret !== true || declared.default === undefined) continue;
    const shown = typeof declared.default === 'string' ? declared.default : JSON.stringify(declared.default);
    // Under four characters a value occurs by chance in ordinary text, as the redactor reckons.
    if (shown.trim().length >= 4) text = text.replaceAll(shown, '[REDACTED]');
  }
  return text;
}

function declaration(declared: ValueDeclaration): DeclarationView {
  const { default: fallback, ...rest } = declared;
  return { ...rest, ...(fallback === undefined || declared.secret === true ? {} : { default: fallback }) };
}

function outline(step: Step): StepOutline {
  return {
    id: step.id,
    ...(step.name === undefined ? {} : { name: step.name }),
    action: step.action,
    ...(step.if === undefined ? {} : { if: step.if }),
    ...(step.foreach === undefined ? {} : { foreach: step.foreach }),
    continueOnError: step.continue_on_error,
  };
}

function mapValues<T, U>(record: Record<string, T>, map: (value: T, key: string) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, map(value, key)]));
}
