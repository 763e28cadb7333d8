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

  it('answers a text it has seen with the same frozen list, which a caller cannot change for the next', () => {
    const first = templateReferences('{{inputs.cached}} {{vars.cached}}');
    expect(templateReferences('{{inputs.cached}} {{vars.cached}}')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => (first as string[]).push('steps.x')).toThrow(TypeError);
    expect(templateReferences('{{inputs.cached}} {{vars.cached}}')).toEqual(['inputs.cached', 'vars.cached']);
  });

  it('still answers correctly once more texts than it remembers were seen', () => {
    const first = templateReferences('{{inputs.evicted}}');
    for (let i = 0; i < 5001; i++) templateReferences(`{{inputs.n${i}}}`);
    const again = templateReferences('{{inputs.evicted}}');
    expect(again).not.toBe(first);
    expect(again).toEqual(['inputs.evicted']);
    expect(templateReferences('{{inputs.n5000}}')).toEqual(['inputs.n5000']);
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
