import { describe, expect, it } from 'vitest';
import { isTemplate, templateReferences } from '../../../engine/templating/index.js';

describe('templateReferences', () => {
  it.each<[string, string[]]>([
    ['no template', []],
    ['{{steps.lookup.output.user.id}} and {{inputs.reason}}', ['steps.lookup.output.user.id', 'inputs.reason']],
    ['{{inputs.reason}} {{inputs.reason}}', ['inputs.reason']],
    ['{{default inputs.manager vars.it_email "x"}}', ['inputs.manager', 'vars.it_email']],
    ['{{join (pluck steps.groups.output.groups "name") ", "}}', ['steps.groups.output.groups']],
    ['{{#each steps.groups.output.groups}}{{name}} {{@root.vars.domain}} {{../run.id}}{{/each}}', ['steps.groups.output.groups', 'vars.domain', 'run.id']],
    ['{{#each inputs.list as |x|}}{{x.name}}{{/each}}', ['inputs.list']],
    ['{{#if (eq steps.lookup.status "succeeded")}}{{steps.lookup.output.id}}{{else}}{{event.id}}{{/if}}', ['steps.lookup.status', 'steps.lookup.output.id', 'event.id']],
    ['{{item.email}} {{index}}', ['item.email', 'index']],
    ['{{this}} {{json @root}} {{true}}', []],
    ['{{inputs.name', []],
  ])('%s', (template, expected) => {
    expect(templateReferences(template)).toEqual(expected);
  });
});

describe('isTemplate', () => {
  it.each<[string, boolean]>([
    ['plain', false],
    ['{{inputs.x}}', true],
    ['a {{ b', true],
    ['single { braces }', false],
  ])('%s', (text, expected) => {
    expect(isTemplate(text)).toBe(expected);
  });
});
