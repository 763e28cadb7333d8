import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { handlebarsParser } from '../../../engine/templating/handlebars-parser.js';
import { parseTemplate } from '../../../engine/templating/parse-template.js';

/**
 * validate loads only Handlebars' parser (engine/templating/handlebars-parser.ts), not the whole
 * library: it must be the very parser the library exposes, so that checking a template and
 * rendering it agree on every tree and every syntax error.
 */
describe('handlebars parser', () => {
  it('is the parser the full library re-exports', () => {
    expect(handlebarsParser.parse).toBe(Handlebars.parse);
    expect(handlebarsParser.parser).toBe((Handlebars as unknown as { Parser: unknown }).Parser);
  });

  it('gives the same tree as Handlebars.parse, whitespace control included', () => {
    const text = 'Hello {{inputs.user}}\n{{#each steps.lookup.output.groups}}  {{~name~}}  {{else}}none{{/each}}';
    expect(JSON.stringify(handlebarsParser.parse(text))).toBe(JSON.stringify(Handlebars.parse(text)));
  });

  it('leaves the lexer at the failure for positioned syntax errors', () => {
    expect(parseTemplate('ok\nab {{ foo ) }}')).toEqual({ ok: false, error: { message: 'template syntax error: found ")" where one of "}}", a path, a value or a (sub-expression) was expected', line: 2, column: 11 } });
  });
});
