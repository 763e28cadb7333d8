import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkTemplate, createTemplateEngine, templateReferences } from '../../../engine/templating/index.js';
import { sampleData, sampleScope } from './sample-data.js';

const engine = createTemplateEngine();
const data = sampleData();
const scope = sampleScope();
const json = fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v).includes('{{'));

describe('templating properties', () => {
  it('renders values without templates to equal, new values and never changes the input', () => {
    fc.assert(
      fc.property(json, (value) => {
        const before = JSON.stringify(value);
        expect(engine.renderValue(value, data)).toEqual(value);
        expect(JSON.stringify(value)).toBe(before);
      }),
      { numRuns: 200 },
    );
  });

  it('checks and reads any text without throwing', () => {
    const pieces = fc.constantFrom('{{', '}}', '{{#if ', '{{/if}}', '{{else}}', 'inputs.', 'name', ' ', '(', ')', '"', 'upper ', '@root.', '../', 'x', '\n', '{{>', '}}}', '\\');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        const problems = checkTemplate(text, scope);
        for (const problem of problems) {
          expect(problem.message.length).toBeGreaterThan(0);
          expect(problem.line).toBeGreaterThanOrEqual(1);
          expect(problem.column).toBeGreaterThanOrEqual(1);
        }
        expect(Array.isArray(templateReferences(text))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('renders every template the checker accepts over data that has its paths', () => {
    const templates = fc.constantFrom('{{inputs.name}}', '{{inputs.days}}', '{{json inputs.tags}}', '{{#each inputs.tags}}{{this}}{{/each}}', 'x{{steps.lookup.output.user.id}}', '{{default inputs.reason "-"}}', '{{upper inputs.settings.mode}}');
    fc.assert(
      fc.property(fc.array(templates, { minLength: 1, maxLength: 4 }), fc.string({ maxLength: 5 }).filter((s) => !/[{}\\]/.test(s)), (parts, glue) => {
        const text = parts.join(glue);
        expect(checkTemplate(text, scope)).toEqual([]);
        expect(typeof engine.renderString(text, data)).toBe('string');
      }),
      { numRuns: 200 },
    );
  });
});
