import { describe, expect, it } from 'vitest';
import { checkTemplate } from '../../../engine/templating/index.js';
import type { LocalProblem } from '../../../engine/diagnostics/problem.js';
import { sampleScope } from './sample-data.js';

const scope = sampleScope();
const INPUTS = 'declared inputs: name, reason, days, notify, tags, settings';

/** A problem as the checker reports it (severity is always "error" here). */
function p(code: string, message: string, line: number, column: number, extra: Partial<LocalProblem> = {}): LocalProblem {
  return { code, message, severity: 'error', line, column, ...extra };
}

describe('checkTemplate accepts', () => {
  it.each([
    'plain text, no template',
    'Hello {{inputs.name}}, {{vars.it_email}} {{run.id}} {{run.initiated_by}}',
    '{{steps.lookup.output.user.anything.deeper}} {{steps.lookup.status}} {{steps.groups.changed}}',
    '{{steps.groups.output.groups.0.name}} {{steps.groups.output.groups.[1].name}}',
    '{{event.employee.id}}',
    '{{#each steps.groups.output.groups}}{{name}} {{this.id}} {{@index}} {{@key}} {{@first}} {{@last}}{{/each}}',
    '{{#each steps.groups.output.groups as |group i|}}{{group.name}}{{i}}{{/each}}',
    '{{#with steps.lookup.output.user as |u|}}{{u.email}} {{username}}{{/with}}',
    '{{#if (eq inputs.settings.mode "delete")}}a{{else if inputs.notify}}b{{else}}c{{/if}}',
    '{{#unless inputs.notify includeZero=true}}quiet{{/unless}}',
    '{{#each inputs.tags}}{{@root.inputs.name}} {{../inputs.days}}{{/each}}',
    '{{default inputs.name vars.it_email "nobody"}}',
    '{{join (pluck steps.groups.output.groups "name") ", "}}',
    '{{secret "smtp_password"}}',
    '{{true}}',
    '  {{ null }}  ',
    '{{this}} {{json @root}}',
    '\\{{inputs.nmae}} is escaped, not a reference',
    '{{! a comment with {{inputs.nmae}} in it }}',
  ])('%s', (template) => {
    expect(checkTemplate(template, scope)).toEqual([]);
  });

  it('accepts item and index inside a foreach step', () => {
    expect(checkTemplate('{{item.name}} #{{index}}', sampleScope({ item: true }))).toEqual([]);
  });
});

describe('checkTemplate reports, at the line and column inside the text', () => {
  it.each<[string, LocalProblem[]]>([
    // Syntax (Handlebars' own position).
    ['{{inputs.name', [p('template-syntax', 'template syntax error: "{{" is never closed with "}}"', 1, 1)]],
    ['Hi\n{{#if inputs.notify}}x', [p('template-syntax', 'template syntax error: found the end of the text where one of "{{else …}}", "{{else}}", a closing "{{/…}}" was expected', 2, 23, { suggestion: 'Close the block with {{/…}}' })]],
    ['{{steps.groups.output.groups.0}}', [p('template-syntax', 'template syntax error: found a number where a name was expected', 1, 30, { suggestion: 'Write a list index in brackets, e.g. steps.lookup.output.groups.[0]' })]],
    ['{{#if inputs.notify}}x{{/each}}', [p('template-syntax', 'template syntax error: {{#if}} is closed by {{/each}}', 1, 4)]],
    ['{{upper inputs.name)}}', [p('template-syntax', 'template syntax error: found ")" where one of "}}", a path, a value or a (sub-expression) was expected', 1, 20)]],
    // Helpers.
    ['{{upperr inputs.name}}', [p('unknown-helper', 'unknown helper "upperr"', 1, 3, { length: 6, suggestion: 'Did you mean "upper"?' })]],
    ['x {{lenght inputs.tags}}', [p('unknown-helper', 'unknown helper "lenght"', 1, 5, { length: 6, suggestion: 'Did you mean "length"?' })]],
    ['{{inputs.name inputs.days}}', [p('unknown-helper', 'unknown helper "inputs.name"', 1, 3, { length: 11 })]],
    ['{{#iff inputs.notify}}x{{/iff}}', [p('unknown-helper', 'unknown block helper "iff": blocks are {{#if}}, {{#unless}}, {{#each}} and {{#with}}', 1, 4, { length: 3, suggestion: 'Did you mean "if"?' })]],
    ['{{#inputs.tags}}x{{/inputs.tags}}', [p('unknown-helper', 'unknown block helper "inputs.tags": blocks are {{#if}}, {{#unless}}, {{#each}} and {{#with}}', 1, 4, { length: 11 })]],
    ['{{if inputs.notify}}', [p('block-helper-as-value', '"if" is a block helper: write {{#if …}}…{{/if}}', 1, 3, { length: 2 })]],
    ['{{upper (each inputs.tags)}}', [p('block-helper-as-value', '"each" is a block helper and cannot be used inside an expression', 1, 10, { length: 4 })]],
    ['{{#eq inputs.days 30}}x{{/eq}}', [p('not-a-block-helper', '"eq" is not a block helper: use it inside one, e.g. {{#if (eq …)}}…{{/if}}', 1, 4, { length: 2 })]],
    ['{{#iff inputs.nmae}}x{{/iff}}', [
      p('unknown-helper', 'unknown block helper "iff": blocks are {{#if}}, {{#unless}}, {{#each}} and {{#with}}', 1, 4, { length: 3, suggestion: 'Did you mean "if"?' }),
      p('undeclared-input', `input "nmae" is not declared (${INPUTS})`, 1, 8, { length: 11, suggestion: 'Did you mean "name"?' }),
    ]],
    ['{{eq inputs.days}}', [p('helper-arity', '"eq" takes 2 arguments, got 1', 1, 3, { length: 2 })]],
    ['{{upper}}', [p('helper-arity', '"upper" takes 1 argument, got 0', 1, 3, { length: 5 })]],
    ['{{join inputs.tags ", " "x"}}', [p('helper-arity', '"join" takes 1 to 2 arguments, got 3', 1, 3, { length: 4 })]],
    ['{{default inputs.name}}', [p('helper-arity', '"default" takes at least 2 arguments, got 1', 1, 3, { length: 7 })]],
    ['{{#if inputs.notify inputs.days}}x{{/if}}', [p('helper-arity', '"#if" takes 1 argument, got 2', 1, 4, { length: 2 })]],
    ['{{upper inputs.name x=1}}', [p('helper-hash', '"upper" takes no named arguments (key=value)', 1, 21, { length: 3 })]],
    ['{{#each inputs.tags sorted=true}}x{{/each}}', [p('helper-hash', '{{#each}} takes no named argument "sorted"', 1, 21, { length: 11 })]],
    ['{{#if inputs.notify zero=true}}x{{/if}}', [p('helper-hash', '{{#if}} takes no named argument "zero" (only includeZero)', 1, 21, { length: 9 })]],
    ['{{secret inputs.name}}', [p('secret-not-literal', '"secret" needs the secret\'s name as a quoted string, e.g. {{secret "smtp_password"}}', 1, 10, { length: 11 })]],
    ['{{secret (lower "X")}}', [p('secret-not-literal', '"secret" needs the secret\'s name as a quoted string, e.g. {{secret "smtp_password"}}', 1, 10, { length: 11 })]],
    // Syntax Handlebars has but idflow refuses.
    ['{{> footer}}', [p('template-unsupported', 'partials ({{> name}}) are not supported in idflow templates', 1, 1, { length: 12 })]],
    ['{{#> layout}}x{{/layout}}', [p('template-unsupported', 'partials ({{> name}}) are not supported in idflow templates', 1, 1, { length: 25 })]],
    ['{{*decorate}}', [p('template-unsupported', 'decorators ({{* name}}) are not supported in idflow templates', 1, 1, { length: 13 })]],
    ['Total: {{42}}', [p('template-literal', 'a literal such as {{42}} only makes sense as the whole value; inside text, write it out directly', 1, 8, { length: 6 })]],
    ['{{"a"}} {{"b"}}', [
      p('template-literal', 'a literal such as {{"a"}} only makes sense as the whole value; inside text, write it out directly', 1, 1, { length: 7 }),
      p('template-literal', 'a literal such as {{"b"}} only makes sense as the whole value; inside text, write it out directly', 1, 9, { length: 7 }),
    ]],
    // References.
    ['{{input.name}}', [p('unknown-reference', '"input" is not something a template or condition can read (the data has: inputs, vars, event, steps, run)', 1, 3, { length: 10, suggestion: 'Did you mean "inputs"?' })]],
    ['Dear {{inputs.nmae}},', [p('undeclared-input', `input "nmae" is not declared (${INPUTS})`, 1, 8, { length: 11, suggestion: 'Did you mean "name"?' })]],
    ['{{vars.it_mail}}', [p('undeclared-var', 'variable "it_mail" is not declared (declared vars: it_email, retention_days)', 1, 3, { length: 12, suggestion: 'Did you mean "it_email"?' })]],
    ['{{steps.notify.output.id}}', [p('later-step', 'step "notify" runs later, so its output is not available here', 1, 3, { length: 22 })]],
    ['{{steps.lookpu.output.id}}', [p('unknown-step', 'there is no step "lookpu"', 1, 3, { length: 22, suggestion: 'Did you mean "lookup"?' })]],
    ['{{steps.lookup.outputs.user}}', [p('unknown-step-field', 'steps.lookup has no field "outputs" (it has: output, status, changed)', 1, 3, { length: 25, suggestion: 'Did you mean "output"?' })]],
    ['{{run.started}}', [p('unknown-run-field', 'run has no field "started" (it has: id, workflow_id, started_at, initiated_by, reason, dry_run)', 1, 3, { length: 11, suggestion: 'Did you mean "started_at"?' })]],
    ['{{item.name}}', [p('item-outside-foreach', '"item" is only available in the with: of a step that has foreach (its if: is evaluated once, before the items)', 1, 3, { length: 9 })]],
    ['{{upper inputs.nmae}}', [p('undeclared-input', `input "nmae" is not declared (${INPUTS})`, 1, 9, { length: 11, suggestion: 'Did you mean "name"?' })]],
    ['{{default (lower inputs.nmae) "x" x=inputs.days}}', [
      p('undeclared-input', `input "nmae" is not declared (${INPUTS})`, 1, 18, { length: 11, suggestion: 'Did you mean "name"?' }),
      p('helper-hash', '"default" takes no named arguments (key=value)', 1, 35, { length: 13 }),
    ]],
    ['{{#each inputs.tgs}}{{this}}{{/each}}', [p('undeclared-input', `input "tgs" is not declared (${INPUTS})`, 1, 9, { length: 10, suggestion: 'Did you mean "tags"?' })]],
    ['{{#each inputs.tags}}{{nmae}} {{@root.inputs.nmae}}{{/each}}', [p('undeclared-input', `input "nmae" is not declared (${INPUTS})`, 1, 33, { length: 17, suggestion: 'Did you mean "name"?' })]],
    ['{{#each inputs.tags}}{{#with ../inputs.settings}}{{../../inputs.nmae}}{{/with}}{{/each}}', [p('undeclared-input', `input "nmae" is not declared (${INPUTS})`, 1, 52, { length: 17, suggestion: 'Did you mean "name"?' })]],
    ['{{#each inputs.tags}}{{../../x}}{{/each}}', [p('path-above-root', '"../../x" goes above the top of the data: there are only 1 enclosing {{#each}}/{{#with}} blocks', 1, 24, { length: 7 })]],
    ['{{#if inputs.notify}}{{steps.notify.status}}{{/if}}', [p('later-step', 'step "notify" runs later, so its output is not available here', 1, 24, { length: 19 })]],
    ['{{@index}}', [p('data-variable-outside-each', '@index is only available inside {{#each}}', 1, 3, { length: 6 })]],
    ['{{#with inputs.settings}}{{@key}}{{/with}}', [p('data-variable-outside-each', '@key is only available inside {{#each}}', 1, 28, { length: 4 })]],
    ['{{@foo}}', [p('unknown-data-variable', '@foo is not a data variable (there are @root, and inside {{#each}} @index, @key, @first and @last)', 1, 3, { length: 4 })]],
    ['{{inputs.constructor}}', [p('forbidden-property', '"constructor" can never be read (it would reach a prototype)', 1, 3, { length: 18 })]],
    ['{{#each inputs.tags}}{{this.__proto__}}{{/each}}', [p('forbidden-property', '"__proto__" can never be read (it would reach a prototype)', 1, 24, { length: 14 })]],
    ['line one\n  and {{inputs.nmae}}\n{{vars.nope}}', [
      p('undeclared-input', `input "nmae" is not declared (${INPUTS})`, 2, 9, { length: 11, suggestion: 'Did you mean "name"?' }),
      p('undeclared-var', 'variable "nope" is not declared (declared vars: it_email, retention_days)', 3, 3, { length: 9 }),
    ]],
  ])('%s', (template, expected) => {
    expect(checkTemplate(template, scope)).toEqual(expected);
  });

  it('says when the workflow declares no inputs at all', () => {
    expect(checkTemplate('{{inputs.user}}', sampleScope({ inputs: new Set() }))).toEqual([p('undeclared-input', 'input "user" is not declared (the workflow declares no inputs)', 1, 3, { length: 11 })]);
  });
});
