import { beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../../engine/diagnostics/problem.js';
import { MAX_SOURCE_BYTES } from '../../../engine/loader/limits.js';
import { loadWorkflowSource } from '../../../engine/loader/load-workflow.js';
import type { ActionRegistry } from '../../../engine/registry/action-registry.js';
import { createTestRegistry, yaml } from './support/test-registry.js';

/**
 * The loader's checks, table-driven in the manner of ESLint's RuleTester: each case is a
 * template and the exact problems expected, with their positions. Valid templates must load
 * with no problem at all.
 */

interface Expected {
  line: number;
  column: number;
  code: string;
  message: string;
  suggestion?: string;
  severity?: 'warning';
  /** Characters underlined, when the case is about the caret's width. */
  length?: number;
}

interface Case {
  name: string;
  template: string;
  problems: Expected[];
}

let registry: ActionRegistry;
beforeAll(async () => {
  registry = await createTestRegistry();
});

function shape(problem: Problem, withLength: boolean): Expected {
  return {
    line: problem.line,
    column: problem.column,
    code: problem.code,
    message: problem.message,
    ...(problem.suggestion === undefined ? {} : { suggestion: problem.suggestion }),
    ...(problem.severity === 'warning' ? { severity: 'warning' as const } : {}),
    ...(withLength ? { length: problem.length ?? 1 } : {}),
  };
}

async function problemsOf(template: string, withLength: boolean): Promise<Expected[]> {
  const result = await loadWorkflowSource(template, 'template.yaml', { registry });
  return result.problems.map((problem) => shape(problem, withLength));
}

const valid: Array<{ name: string; template: string }> = [
  {
    name: 'the smallest workflow',
    template: yaml`
      id: hello
      name: Hello
      steps:
        - id: say
          action: log
          with: { message: hello }
    `,
  },
  {
    name: 'every key of the language',
    template: yaml`
      id: offboard-user
      name: Offboard a user
      version: "1.2.0"
      description: Everything at once
      subject: "{{inputs.user}}"
      inputs:
        user: { type: string, required: true, format: email, description: The user }
        mode: { type: string, enum: [disable, delete], default: disable }
        groups: { type: array, items: { type: string }, default: [] }
        count: { type: integer, default: 3 }
        token: { type: string, secret: true }
      vars:
        org_id: { type: string, required: true }
        notify: { type: boolean, default: true }
      triggers:
        - type: manual
        - type: event
          event: hr.employee.terminated
          if: { "==": [{ var: event.type }, terminated] }
          inputs: { user: "{{event.email}}", mode: "{{vars.org_id}}" }
        - type: schedule
          cron: "0 2 * * 1-5"
          timezone: Europe/Berlin
          inputs: { user: "report@{{run.id}}" }
        - type: workflow
      when: { "!!": [{ var: vars.notify }] }
      steps:
        - id: lookup
          name: Look up
          action: test.user.update
          with: { user: "{{inputs.user}}", count: "{{inputs.count}}", mode: "{{inputs.mode}}", options: { notify: true }, tags: [a, b] }
          retry: { attempts: 5, backoff: fixed, delay: 500ms, max_delay: 1m }
          timeout: 30s
          verify: true
        - id: per_group
          action: log
          foreach: "{{steps.lookup.output.groups}}"
          concurrency: 4
          if: { "==": [{ var: steps.lookup.status }, succeeded] }
          with:
            message: "group {{index}}: {{item.name}}"
            level: warn
          continue_on_error: true
          timeout: 1000
      on_failure:
        - id: report
          action: log
          with:
            message: |
              Failed after {{steps.lookup.status}}
              and {{steps.per_group.status}}
      output:
        user: "{{steps.lookup.output}}"
        counts: { groups: "{{steps.per_group.output}}", literal: 3 }
    `,
  },
  {
    name: 'a literal foreach list and templated list items',
    template: yaml`
      id: list
      name: List
      inputs:
        name: { type: string }
      steps:
        - id: each
          action: log
          foreach: [a, "{{inputs.name}}"]
          with: { message: "{{item}}" }
    `,
  },
];

const invalid: Case[] = [
  // 1. YAML itself
  {
    name: 'YAML syntax error',
    template: yaml`
      id: broken
      name: Broken
      steps: [ { id: a, action: log
    `,
    problems: [
      { line: 4, column: 1, code: 'yaml-syntax', message: 'flow map in block collection must be sufficiently indented and end with a }' },
      { line: 4, column: 1, code: 'yaml-syntax', message: 'flow sequence in block collection must be sufficiently indented and end with a ]' },
    ],
  },
  {
    name: 'duplicate key',
    template: yaml`
      id: dup
      name: First
      name: Second
      steps:
        - { id: a, action: log, with: { message: hi } }
    `,
    problems: [
      { line: 3, column: 1, code: 'yaml-duplicate-key', message: 'duplicate key "name" (first defined at line 2)', suggestion: 'Each key may appear once per map; remove or rename one of them' },
    ],
  },
  {
    name: 'two documents',
    template: yaml`
      id: one
      name: One
      steps: []
      ---
      id: two
    `,
    problems: [
      { line: 4, column: 1, code: 'yaml-multiple-documents', message: 'the file contains more than one YAML document (a second "---"); it must hold exactly one', suggestion: 'Split the documents into separate files' },
    ],
  },
  {
    name: 'unknown tag',
    template: yaml`
      id: tagged
      name: !secret Tagged
      steps:
        - { id: a, action: log, with: { message: hi } }
    `,
    problems: [
      { line: 2, column: 7, code: 'yaml-unknown-tag', message: 'unknown tag "!secret": idflow files are plain YAML 1.2 without custom tags', suggestion: 'Remove the tag; write secrets as { env: NAME } references' },
    ],
  },
  {
    name: '__proto__ key',
    template: yaml`
      id: proto
      name: Proto
      steps:
        - id: a
          action: log
          with:
            __proto__: { polluted: true }
            message: hi
    `,
    problems: [
      { line: 7, column: 7, code: 'forbidden-key', message: 'the key "__proto__" is not allowed anywhere in an idflow file (it could change how objects behave)' },
    ],
  },
  {
    name: 'merge key',
    template: yaml`
      id: merge
      name: Merge
      steps:
        - &base { id: a, action: log, with: { message: hi } }
        - <<: *base
          id: b
    `,
    problems: [
      { line: 5, column: 5, code: 'yaml-merge-key', message: 'merge keys ("<<") are not supported: idflow reads YAML 1.2, where "<<" would be an ordinary key', suggestion: 'Write the keys out; an anchor (&name) and alias (*name) for a whole value still work' },
    ],
  },
  {
    name: 'constructor key',
    template: yaml`
      id: ctor
      name: Ctor
      constructor: x
      steps:
        - { id: a, action: log, with: { message: hi } }
    `,
    problems: [
      { line: 3, column: 1, code: 'forbidden-key', message: 'the key "constructor" is not allowed anywhere in an idflow file (it could change how objects behave)', length: 11 },
    ],
  },
  {
    name: 'alias bomb',
    template: yaml`
      id: bomb
      name: Bomb
      a: &a [x, x, x, x, x, x, x, x, x, x]
      b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
      c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
      d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
      e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
      steps: *e
    `,
    problems: [
      { line: 4, column: 8, code: 'yaml-alias-limit', message: 'the template expands aliases (*name) more than 100 times; this looks like an alias bomb and is refused' },
    ],
  },
  {
    name: 'oversized file',
    template: `# ${'x'.repeat(MAX_SOURCE_BYTES)}\n`,
    problems: [
      { line: 1, column: 1, code: 'file-too-large', message: 'the template is 1,048,579 bytes; idflow reads at most 1 MiB (1,048,576 bytes) and refuses it unparsed' },
    ],
  },
  // 2. The language schema
  {
    name: 'unknown key with a suggestion',
    template: yaml`
      id: typo
      name: Typo
      stpes:
        - { id: a, action: log, with: { message: hi } }
    `,
    problems: [
      { line: 3, column: 1, code: 'unknown-key', message: 'unknown key "stpes"', suggestion: 'Did you mean "steps"?', length: 5 },
    ],
  },
  {
    name: 'unknown step key with a suggestion',
    template: yaml`
      id: typo
      name: Typo
      steps:
        - id: a
          action: log
          wiht: { message: hi }
    `,
    problems: [
      { line: 6, column: 5, code: 'unknown-key', message: 'unknown key "wiht"', suggestion: 'Did you mean "with"?' },
    ],
  },
  {
    name: 'a misspelt key does not hide the problems below it: they are checked as the key it most likely means',
    template: yaml`
      id: typo
      name: Typo
      stpes:
        - id: a
          acton: lgo
          wiht: { mesage: "{{inputs.nope}}" }
        - { id: b, action: log }
    `,
    problems: [
      { line: 3, column: 1, code: 'unknown-key', message: 'unknown key "stpes"', suggestion: 'Did you mean "steps"?' },
      { line: 5, column: 5, code: 'unknown-key', message: 'unknown key "acton"', suggestion: 'Did you mean "action"?' },
      { line: 5, column: 12, code: 'unknown-action', message: 'unknown action "lgo"', suggestion: 'Did you mean "log"?' },
      { line: 6, column: 5, code: 'unknown-key', message: 'unknown key "wiht"', suggestion: 'Did you mean "with"?' },
      { line: 6, column: 24, code: 'undeclared-input', message: 'input "nope" is not declared (the workflow declares no inputs)' },
      { line: 7, column: 22, code: 'missing-param', message: 'action "log" is missing the required parameter "message"' },
    ],
  },
  {
    name: 'a misspelt key is not read as a key its map already has, nor as one another misspelt key means too',
    template: yaml`
      id: typo
      name: Typo
      stpes: [{ id: a, action: lgo }]
      setps: [{ id: b, action: lgo }]
      inputs: {}
      input: { x: { type: nope } }
    `,
    problems: [
      { line: 3, column: 1, code: 'unknown-key', message: 'unknown key "stpes"', suggestion: 'Did you mean "steps"?' },
      { line: 4, column: 1, code: 'unknown-key', message: 'unknown key "setps"', suggestion: 'Did you mean "steps"?' },
      { line: 6, column: 1, code: 'unknown-key', message: 'unknown key "input"', suggestion: 'Did you mean "inputs"?' },
    ],
  },
  {
    name: 'wrong type: a list where a duration is expected',
    template: yaml`
      id: types
      name: Types
      steps:
        - id: a
          action: log
          with: { message: hi }
          timeout: [30s]
    `,
    problems: [
      { line: 7, column: 14, code: 'wrong-type', message: '"timeout" must be a duration like "30s" or a number of milliseconds, got a list' },
    ],
  },
  {
    name: 'wrong duration text, wrong retry backoff, concurrency below 1',
    template: yaml`
      id: types
      name: Types
      steps:
        - id: a
          action: log
          foreach: [1]
          concurrency: 0
          with: { message: hi }
          retry: { attempts: 2, backoff: expo, delay: 5 minutes }
    `,
    problems: [
      { line: 7, column: 18, code: 'out-of-range', message: '"concurrency" must be at least 1; got 0' },
      { line: 9, column: 36, code: 'invalid-value', message: '"backoff" must be one of "exponential", "fixed"; got "expo"', suggestion: 'Did you mean "exponential"?' },
      { line: 9, column: 49, code: 'invalid-format', message: '"delay" must be a duration like "500ms", "30s", "5m" or "1h"; got "5 minutes"' },
    ],
  },
  {
    name: 'missing required keys',
    template: yaml`
      id: missing
      steps:
        - id: a
          with: { message: hi }
    `,
    problems: [
      { line: 1, column: 1, code: 'missing-key', message: 'the template is missing the required key "name"' },
      { line: 3, column: 5, code: 'missing-key', message: '"steps[0]" is missing the required key "action"' },
    ],
  },
  {
    name: 'bad id and version',
    template: yaml`
      id: Offboard_User
      name: Bad
      version: 1.0
      steps:
        - { id: Step-1, action: log, with: { message: hi } }
    `,
    problems: [
      { line: 1, column: 5, code: 'invalid-format', message: '"id" must be kebab-case (lower-case letters and digits separated by single dashes, like "offboard-user"); got "Offboard_User"' },
      { line: 3, column: 10, code: 'wrong-type', message: '"version" must be a semantic version like "1.2.0" (write it in quotes), got 1' },
      { line: 5, column: 11, code: 'invalid-format', message: '"id" must be a step id of lower-case letters, digits, "_" and "-" that starts with a letter (like "lookup_user"); got "Step-1"' },
    ],
  },
  {
    name: 'bad triggers',
    template: yaml`
      id: triggers
      name: Triggers
      triggers:
        - type: evnt
        - type: event
        - type: manual
          cron: "* * * * *"
        - schedule
      steps:
        - { id: a, action: log, with: { message: hi } }
    `,
    problems: [
      { line: 4, column: 11, code: 'invalid-value', message: '"type" must be one of "manual", "event", "schedule", "workflow"; got "evnt"', suggestion: 'Did you mean "event"?' },
      { line: 5, column: 5, code: 'missing-key', message: '"triggers[1]" is missing the required key "event"' },
      { line: 7, column: 5, code: 'unknown-key', message: 'unknown key "cron"', suggestion: 'Allowed keys here: "type"' },
      { line: 8, column: 5, code: 'wrong-type', message: '"triggers[3]" must be a trigger like {type: manual}, got "schedule"' },
    ],
  },
  {
    name: 'schedules serve could not keep: a cron expression it does not read, one that never fires, an unknown time zone',
    template: yaml`
      id: sched
      name: Sched
      triggers:
        - { type: schedule, cron: "61 * * * *" }
        - { type: schedule, cron: "0 0 30 2 *", timezone: Europe/Berlinn }
        - { type: schedule, cron: "0 2 * * 1-5", timezone: Europe/Berlin }
      steps:
        - { id: a, action: log, with: { message: hi } }
    `,
    problems: [
      { line: 4, column: 29, code: 'invalid-cron', message: '"61 * * * *" is not a cron expression: Invalid value for minute: 61', suggestion: 'Write 5 fields (minute hour day month weekday), e.g. "0 2 * * 1-5", or 6 with seconds first, e.g. "*/30 * * * * *"' },
      { line: 5, column: 29, code: 'invalid-cron', message: 'the cron expression "0 0 30 2 *" never fires' },
      { line: 5, column: 53, code: 'invalid-timezone', message: '"Europe/Berlinn" is not an IANA time zone', suggestion: 'Did you mean "Europe/Berlin"?' },
    ],
  },
  {
    name: 'a string condition',
    template: yaml`
      id: cond
      name: Cond
      steps:
        - id: a
          action: log
          if: "{{inputs.x}}"
          with: { message: hi }
    `,
    problems: [
      { line: 6, column: 9, code: 'wrong-type', message: '"if" must be a JSON-logic condition (a map like {"==": [{"var": "inputs.mode"}, "delete"]}) or true/false, got "{{inputs.x}}"' },
    ],
  },
  // 3. Actions
  {
    name: 'unknown action with a suggestion',
    template: yaml`
      id: actions
      name: Actions
      steps:
        - id: a
          action: test.user.updat
          with: { user: u }
    `,
    problems: [
      { line: 5, column: 13, code: 'unknown-action', message: 'unknown action "test.user.updat"', suggestion: 'Did you mean "test.user.update"?' },
    ],
  },
  {
    name: 'unknown action without a close match',
    template: yaml`
      id: actions
      name: Actions
      steps:
        - id: a
          action: acme.ticket.close
    `,
    problems: [
      { line: 5, column: 13, code: 'unknown-action', message: 'unknown action "acme.ticket.close"', suggestion: "Load the plugin that defines it with --plugin, the config file's plugins: or the template's plugins:" },
    ],
  },
  // 4. Action parameters
  {
    name: 'missing, unknown and wrongly typed parameters',
    template: yaml`
      id: params
      name: Params
      steps:
        - id: a
          action: test.user.update
          with:
            count: many
            mdoe: disable
            options: { notify: yes }
            tags: [1]
            email: not-an-email
    `,
    problems: [
      { line: 7, column: 7, code: 'missing-param', message: 'action "test.user.update" is missing the required parameter "user"' },
      { line: 7, column: 14, code: 'invalid-param', message: '"count" must be a whole number, got "many"' },
      { line: 8, column: 7, code: 'unknown-param', message: 'unknown parameter "mdoe" for action "test.user.update"', suggestion: 'Did you mean "mode"?' },
      { line: 9, column: 26, code: 'invalid-param', message: '"notify" must be true or false, got "yes"' },
      { line: 10, column: 14, code: 'invalid-param', message: '"tags[0]" must be a string, got 1' },
      { line: 11, column: 14, code: 'invalid-format', message: '"email" must be an email address; got "not-an-email"' },
    ],
  },
  {
    name: 'a missing parameter without with:',
    template: yaml`
      id: params
      name: Params
      steps:
        - id: a
          action: log
    `,
    problems: [
      { line: 5, column: 13, code: 'missing-param', message: 'action "log" is missing the required parameter "message"' },
    ],
  },
  {
    name: 'templated parameters are not type-checked, but required and unknown keys are',
    template: yaml`
      id: params
      name: Params
      inputs:
        n: { type: integer }
      steps:
        - id: a
          action: test.user.update
          with:
            count: "{{inputs.n}}"
            mode: "{{inputs.n}}"
            options: "{{inputs.n}}"
            extra: "{{inputs.n}}"
    `,
    problems: [
      { line: 9, column: 7, code: 'missing-param', message: 'action "test.user.update" is missing the required parameter "user"' },
      { line: 12, column: 7, code: 'unknown-param', message: 'unknown parameter "extra" for action "test.user.update"', suggestion: 'Allowed keys here: "user", "count", "mode", "options", "tags", "email"' },
    ],
  },
  // 5. Step ids, declarations
  {
    name: 'duplicate step ids across steps and on_failure',
    template: yaml`
      id: ids
      name: Ids
      steps:
        - { id: a, action: log, with: { message: one } }
        - { id: a, action: log, with: { message: two } }
      on_failure:
        - { id: a, action: log, with: { message: three } }
    `,
    problems: [
      { line: 5, column: 11, code: 'duplicate-step-id', message: 'duplicate step id "a": steps[0] already uses it', suggestion: 'Step ids must be unique across steps and on_failure; rename one of them' },
      { line: 7, column: 11, code: 'duplicate-step-id', message: 'duplicate step id "a": steps[0] already uses it', suggestion: 'Step ids must be unique across steps and on_failure; rename one of them' },
    ],
  },
  {
    name: 'defaults and enums that violate their own declaration',
    template: yaml`
      id: decl
      name: Decl
      inputs:
        mode: { type: string, enum: [disable, delete], default: disabel }
        days: { type: integer, default: 2.5 }
        email: { type: string, format: email, default: nobody }
        sizes: { type: array, items: { type: integer }, default: [1, two] }
        level: { type: string, enum: [low, 3] }
      vars:
        flag: { type: boolean, default: "yes", required: true }
      steps:
        - { id: a, action: log, with: { message: hi } }
    `,
    problems: [
      { line: 4, column: 59, code: 'invalid-default', message: 'the default of input "mode" must be one of "disable", "delete"; got "disabel"', suggestion: 'Did you mean "disable"?' },
      { line: 5, column: 35, code: 'invalid-default', message: 'the default of input "days" must be a whole number; got 2.5' },
      { line: 6, column: 50, code: 'invalid-default', message: 'the default of input "email" must be an email address; got "nobody"' },
      { line: 7, column: 64, code: 'invalid-default', message: 'item 2 of the default of input "sizes" must be a whole number; got "two"' },
      { line: 8, column: 38, code: 'invalid-enum', message: 'value 2 of the enum of input "level" must be a string; got 3' },
      { line: 10, column: 35, code: 'invalid-default', message: 'the default of variable "flag" must be true or false; got "yes"' },
      { line: 10, column: 52, code: 'unused-default', message: 'variable "flag" is required, so its default is never used', suggestion: 'Remove "required: true" or the default', severity: 'warning' },
    ],
  },
  {
    name: 'minimum, maximum and pattern: checked against their own declaration and the defaults',
    template: yaml`
      id: ranges
      name: Ranges
      inputs:
        days: { type: integer, minimum: 0, maximum: 365, default: -3 }
        ratio: { type: number, minimum: 1, maximum: 0.5 }
        code: { type: string, pattern: "^[A-Z]{2}-[0-9]+$", default: ab-1 }
        broken: { type: string, pattern: "([a-z]" }
        flag: { type: boolean, minimum: 1, pattern: x }
        ids: { type: array, items: { type: integer, minimum: 1 }, default: [1, 0] }
      vars:
        name: { type: string, maximum: 3 }
      steps:
        - { id: a, action: log, with: { message: hi } }
    `,
    problems: [
      { line: 4, column: 61, code: 'invalid-default', message: 'the default of input "days" must be at least 0; got -3' },
      { line: 5, column: 35, code: 'invalid-declaration', message: 'the minimum of input "ratio" (1) is above its maximum (0.5), so no value can satisfy it' },
      { line: 6, column: 64, code: 'invalid-default', message: 'the default of input "code" must match the pattern "^[A-Z]{2}-[0-9]+$"; got "ab-1"' },
      { line: 7, column: 36, code: 'invalid-pattern', message: 'the pattern of input "broken" is not a valid regular expression: Unterminated group', suggestion: 'Write it in JavaScript regular expression syntax, e.g. "^[A-Z]{2}-[0-9]+$"; escape a literal "(", "[" or "\\" with a backslash' },
      { line: 8, column: 26, code: 'invalid-declaration', message: '"minimum" only applies to numbers, but input "flag" is of type boolean' },
      { line: 8, column: 38, code: 'invalid-declaration', message: '"pattern" only applies to strings, but input "flag" is of type boolean' },
      { line: 9, column: 74, code: 'invalid-default', message: 'item 2 of the default of input "ids" must be at least 1; got 0' },
      { line: 11, column: 25, code: 'invalid-declaration', message: '"maximum" only applies to numbers, but variable "name" is of type string' },
    ],
  },
  // 6. Conditions
  {
    name: 'bad JSON-logic: unknown operator, arity, undeclared input, later step',
    template: yaml`
      id: logic
      name: Logic
      inputs:
        mode: { type: string }
      when: { "=": [{ var: inputs.mode }, delete] }
      steps:
        - id: a
          action: log
          if: { "!": [1, 2] }
          with: { message: hi }
        - id: b
          action: log
          if: { "==": [{ var: inputs.mod }, { var: steps.c.status }] }
          with: { message: hi }
        - id: c
          action: log
          with: { message: hi }
    `,
    problems: [
      { line: 5, column: 14, code: 'unknown-operator', message: 'unknown operator "="', suggestion: 'Did you mean "===" (or the loose "==")?' },
      { line: 9, column: 16, code: 'operator-arity', message: '"!" takes 1 argument, got 2' },
      { line: 13, column: 25, code: 'undeclared-input', message: 'input "mod" is not declared (declared inputs: mode)', suggestion: 'Did you mean "mode"?' },
      { line: 13, column: 46, code: 'later-step', message: 'step "c" runs later, so its output is not available here' },
    ],
  },
  // 7. Templates
  {
    name: 'bad Handlebars: syntax, unknown helper, undeclared references, later and missing steps',
    template: yaml`
      id: hbs
      name: Hbs
      inputs:
        user: { type: string }
      vars:
        org: { type: string }
      subject: "{{inputs.usr}}"
      steps:
        - id: a
          action: log
          with:
            message: "Hello {{inputs.user"
        - id: b
          action: log
          with:
            message: "{{shout inputs.user}} {{vars.orgg}} {{steps.c.output.x}} {{steps.zz.output}}"
        - id: c
          action: log
          with:
            message: |
              first line
              {{item}} and {{steps.b.outptu}}
      output:
        later: "{{steps.nope.output}}"
    `,
    problems: [
      { line: 7, column: 13, code: 'undeclared-input', message: 'input "usr" is not declared (declared inputs: user)', suggestion: 'Did you mean "user"?' },
      { line: 12, column: 23, code: 'template-syntax', message: 'template syntax error: "{{" is never closed with "}}"' },
      { line: 16, column: 19, code: 'unknown-helper', message: 'unknown helper "shout"' },
      { line: 16, column: 41, code: 'undeclared-var', message: 'variable "orgg" is not declared (declared vars: org)', suggestion: 'Did you mean "org"?' },
      { line: 16, column: 55, code: 'later-step', message: 'step "c" runs later, so its output is not available here' },
      // "zz" is not a typo of "a", "b" or "c": no suggestion.
      { line: 16, column: 76, code: 'unknown-step', message: 'there is no step "zz"' },
      { line: 22, column: 11, code: 'item-outside-foreach', message: '"item" is only available in the with: of a step that has foreach (its if: is evaluated once, before the items)' },
      { line: 22, column: 24, code: 'unknown-step-field', message: 'steps.b has no field "outptu" (it has: output, status, changed)', suggestion: 'Did you mean "output"?' },
      { line: 24, column: 13, code: 'unknown-step', message: 'there is no step "nope"' },
    ],
  },
  {
    // Only the branch that runs is rendered, but validate checks the names in both (issue 10, case 10).
    name: 'a typo inside a block branch is found, whichever branch would run',
    template: yaml`
      id: branches
      name: Branches
      inputs:
        flag: { type: boolean }
      steps:
        - id: lock_devices
          action: log
          with: { message: locking }
        - id: tell
          action: log
          with:
            message: "{{#if steps.lock_devices.output}}{{steps.lock_devcies.output.status}}{{else}}{{inputs.flga}}{{/if}}"
    `,
    problems: [
      { line: 12, column: 52, code: 'unknown-step', message: 'there is no step "lock_devcies"', suggestion: 'Did you mean "lock_devices"?' },
      { line: 12, column: 96, code: 'undeclared-input', message: 'input "flga" is not declared (declared inputs: flag)', suggestion: 'Did you mean "flag"?' },
    ],
  },
  {
    name: 'trigger templates and conditions see event, vars and run only',
    template: yaml`
      id: trig
      name: Trig
      inputs:
        user: { type: string }
      triggers:
        - type: event
          event: user.left
          if: { "==": [{ var: inputs.user }, x] }
          inputs: { user: "{{steps.a.output}}" }
      steps:
        - { id: a, action: log, with: { message: hi } }
    `,
    problems: [
      { line: 8, column: 25, code: 'undeclared-input', message: 'a trigger cannot read inputs: its "inputs:" are what it produces for the run', suggestion: 'Read the event (event.*), vars or run here' },
      { line: 9, column: 24, code: 'later-step', message: 'step "a" runs later, so its output is not available here' },
    ],
  },
];

describe('loadWorkflowSource: valid templates', () => {
  it.each(valid)('$name', async ({ template }) => {
    const result = await loadWorkflowSource(template, 'template.yaml', { registry });
    expect(result.problems).toEqual([]);
    expect(result.workflow).toBeDefined();
  });
});

describe('loadWorkflowSource: every problem, at its place', () => {
  it.each(invalid)('$name', async ({ template, problems }) => {
    const actual = await problemsOf(template, problems.some((p) => p.length !== undefined));
    expect(actual).toEqual(problems);
    const result = await loadWorkflowSource(template, 'template.yaml', { registry });
    if (problems.some((p) => p.severity !== 'warning')) expect(result.workflow).toBeUndefined();
  });
});
