import { describe, expect, it } from 'vitest';
import { createTemplateEngine } from '../../../engine/templating/index.js';
import { Redactor } from '../../../engine/logging/redactor.js';
import { sampleData } from './sample-data.js';

/**
 * Texts derived from a secret by any helper reach the engine's onSecretText, so the redactor
 * knows them (issue 10, case 6: `{{upper (secret "X")}}` was written in clear).
 */

const SECRET = 'Tok3n-abcdefghij-XYZ';
const data = sampleData();
const secret = (name: string): string | undefined => (name === 'API' ? SECRET : name === 'OTHER' ? '  padded-other-secret  ' : undefined);

/** Renders with a fresh engine and redactor; returns the result and the redactor. */
function render(template: string, how: 'string' | 'value' = 'string'): { result: unknown; redactor: Redactor; reported: string[] } {
  const redactor = new Redactor();
  const reported: string[] = [];
  const engine = createTemplateEngine({ onSecretText: (text) => {
    reported.push(text);
    redactor.add(text);
  } });
  const result = how === 'string' ? engine.renderString(template, data, { secret }) : engine.renderValue(template, data, { secret });
  return { result, redactor, reported };
}

describe('what a template derives from a secret is redacted', () => {
  it.each([
    ['{{upper (secret "API")}}', SECRET.toUpperCase()],
    ['{{lower (secret "API")}}', SECRET.toLowerCase()],
    ['{{trim (secret "OTHER")}}', 'padded-other-secret'],
    ['{{concat "Bearer " (secret "API")}}', `Bearer ${SECRET}`],
    ['{{json (secret "API")}}', JSON.stringify(SECRET)],
    ['{{lower (upper (trim (concat (secret "API") "!")))}}', `${SECRET}!`.toLowerCase()],
    ['{{join (list (upper (secret "API")) "x") "-"}}', `${SECRET.toUpperCase()}-x`],
    ['{{default inputs.nothing (upper (secret "API"))}}', SECRET.toUpperCase()],
    ['{{json (list (lower (secret "API")) inputs.reason)}}', JSON.stringify([SECRET.toLowerCase(), 'left the company'])],
  ])('%s', (template, derived) => {
    for (const how of ['string', 'value'] as const) {
      for (const wrapped of [template, `Note: ${template}.`]) {
        const { result, redactor } = render(wrapped, how);
        expect(result).toContain(derived);
        // Everything the run writes goes through the redactor: nothing derived survives.
        const written = redactor.redact(JSON.stringify(result));
        expect(written).not.toContain(derived);
        expect(written).not.toContain(SECRET);
        expect(written.toLowerCase()).not.toContain(SECRET.toLowerCase());
        expect(written).toContain('[REDACTED]');
      }
    }
  });

  it('follows a secret into the body of {{#with}} and {{#each}}', () => {
    const inWith = render('{{#with (secret "API")}}{{concat [0] [1] [2] [3] [4] [5]}}{{/with}}');
    expect(inWith.result).toBe(SECRET.slice(0, 6));
    expect(inWith.redactor.redact(String(inWith.result))).toBe('[REDACTED]');
    const inEach = render('{{#each (list (secret "API"))}}{{upper this}}{{/each}}');
    expect(inEach.redactor.redact(String(inEach.result))).toBe('[REDACTED]');
  });

  it('treats the text of a render that read a secret as the secret\'s', () => {
    const { result, reported } = render('{{#if (eq (secret "API") "guess")}}right{{else}}the guess was wrong{{/if}}');
    expect(result).toBe('the guess was wrong');
    expect(reported).toContain('the guess was wrong');
  });

  it('reports nothing for renders that never read a secret, and keeps other texts of a call', () => {
    expect(render('{{upper inputs.reason}} {{json inputs.tags}}').reported).toEqual([]);
    // "name" was an argument, not something made from the secret: it is not a secret.
    const { result, reported } = render('{{list (secret "API") "name"}}', 'value');
    expect(result).toEqual([SECRET, 'name']);
    expect(reported).toEqual([SECRET]);
    // Numbers and booleans are not reported: they cannot be redacted by value.
    expect(render('{{length (secret "API")}}', 'value').reported).toEqual([SECRET]);
  });

  it('keeps one render\'s taint out of the next render', () => {
    const reported: string[] = [];
    const engine = createTemplateEngine({ onSecretText: (text) => reported.push(text) });
    engine.renderString('{{secret "API"}}', data, { secret });
    engine.renderString('{{upper inputs.reason}}', data, { secret });
    expect(reported).toEqual([SECRET]);
  });
});
