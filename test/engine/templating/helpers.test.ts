import { describe, expect, it } from 'vitest';
import { createTemplateEngine, HELPERS, TemplateError } from '../../../engine/templating/index.js';
import { analyzeTemplate } from '../../../engine/templating/analyze-template.js';
import type { RunData } from '../../../engine/language/types.js';
import { sampleData } from './sample-data.js';

const engine = createTemplateEngine();
const data = sampleData();

function failure(template: string, runData: RunData = data): string {
  try {
    engine.renderValue(template, runData);
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return (error as TemplateError).message;
  }
  throw new Error(`expected ${template} to fail`);
}

describe('every helper, in a single expression (typed) and inside text', () => {
  it.each<[string, unknown]>([
    ['{{default inputs.nothing inputs.empty "x"}}', 'x'],
    ['{{default inputs.absent inputs.nothing}}', null],
    ['{{default 0 5}}', 0],
    ['{{default false true}}', false],
    ['{{default inputs.absent steps.lookup.output.user}}', { email: 'jane@example.com', username: 'jane', id: 'u1' }],
    ['{{json steps.lookup.output.user}}', '{"email":"jane@example.com","username":"jane","id":"u1"}'],
    ['{{json inputs.tags 2}}', '[\n  "a",\n  "b"\n]'],
    ['{{json inputs.nothing}}', 'null'],
    ['{{lower "AbC"}}', 'abc'],
    ['{{upper inputs.reason}}', 'LEFT THE COMPANY'],
    ['{{upper 5}}', '5'],
    ['{{trim "  x y  "}}', 'x y'],
    ['{{join inputs.tags}}', 'a, b'],
    ['{{join inputs.tags "|"}}', 'a|b'],
    ['{{join (pluck steps.groups.output.groups "name") ", "}}', 'Admins, VPN'],
    ['{{join steps.groups.output.empty}}', ''],
    ['{{length inputs.tags}}', 2],
    ['{{length "abcd"}}', 4],
    ['{{length inputs.settings}}', 1],
    ['{{length steps.groups.output.empty}}', 0],
    ['{{eq 1 1}}', true],
    ['{{eq 1 "1"}}', false],
    ['{{eq inputs.tags inputs.tags}}', true],
    ['{{eq inputs.nothing null}}', true],
    ['{{ne "a" "b"}}', true],
    ['{{ne inputs.days 30}}', false],
    ['{{gt inputs.days 29}}', true],
    ['{{gt "2026-05-02" "2026-05-01"}}', true],
    ['{{gte inputs.days 30}}', true],
    ['{{lt inputs.days 30}}', false],
    ['{{lte vars.retention_days 0}}', true],
    ['{{gt inputs.nothing 1}}', false],
    ['{{lt inputs.nothing 1}}', false],
    ['{{and true 1 "x"}}', true],
    ['{{and true steps.groups.output.empty}}', false],
    ['{{or false 0 ""}}', false],
    ['{{or false "x"}}', true],
    ['{{not inputs.empty}}', true],
    ['{{not 0}}', true],
    ['{{not inputs.tags}}', false],
    ['{{concat "a" 1 true}}', 'a1true'],
    ['{{concat "a" inputs.nothing "b"}}', 'ab'],
    ['{{concat inputs.tags inputs.tags}}', ['a', 'b', 'a', 'b']],
    ['{{pluck steps.groups.output.groups "id"}}', ['g1', 'g2']],
    ['{{date "2026-03-04T05:06:07Z" "YYYY-MM-DD HH:mm:ss"}}', '2026-03-04 05:06:07'],
    ['{{date "2026-03-04"}}', '2026-03-04T00:00:00.000Z'],
    ['{{date "2026-03-04T05:06" "HH:mm"}}', '05:06'],
    ['{{date "2026-03-04T01:00:00+02:00" "DD HH"}}', '03 23'],
    ['{{date 0 "YYYY/MM/DD"}}', '1970/01/01'],
    ['{{date run.started_at "iso"}}', '2026-05-01T09:30:00.000Z'],
  ])('%s', (template, expected) => {
    expect(engine.renderValue(template, data)).toEqual(expected);
    const asText = expected === null ? '' : typeof expected === 'object' ? String(expected) : String(expected);
    if (!(typeof expected === 'object' && expected !== null && !Array.isArray(expected))) expect(engine.renderString(`[${template}]`, data)).toBe(`[${asText}]`);
  });

  it('date "now" is the time of the render, in UTC', () => {
    const before = Date.now();
    const rendered = engine.renderValue('{{date "now"}}', data) as string;
    const after = Date.now();
    expect(rendered).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const at = Date.parse(rendered);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(after);
    expect(engine.renderValue('{{date "now" "YYYY-MM-DD"}}', data)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('a missing value is an error for every helper but default', () => {
  const small: RunData = { ...data, inputs: { a: 1 } };
  it.each([
    ['{{json inputs.absent}}', 'json', 1],
    ['{{lower inputs.absent}}', 'lower', 1],
    ['{{upper inputs.absent}}', 'upper', 1],
    ['{{trim inputs.absent}}', 'trim', 1],
    ['{{join inputs.absent}}', 'join', 1],
    ['{{join inputs.a inputs.absent}}', 'join', 2],
    ['{{length inputs.absent}}', 'length', 1],
    ['{{eq inputs.absent 1}}', 'eq', 1],
    ['{{ne 1 inputs.absent}}', 'ne', 2],
    ['{{gt inputs.absent 1}}', 'gt', 1],
    ['{{gte inputs.absent 1}}', 'gte', 1],
    ['{{lt 1 inputs.absent}}', 'lt', 2],
    ['{{lte inputs.absent 1}}', 'lte', 1],
    ['{{and true inputs.absent}}', 'and', 2],
    ['{{or inputs.absent true}}', 'or', 1],
    ['{{not inputs.absent}}', 'not', 1],
    ['{{concat "a" inputs.absent}}', 'concat', 2],
    ['{{pluck inputs.absent "id"}}', 'pluck', 1],
    ['{{date inputs.absent}}', 'date', 1],
  ])('%s', (template, helper, argument) => {
    const expected = `${JSON.stringify(template)}: "${helper}" needs a value for its argument ${argument}, but "absent" is not defined in inputs (it has: a)`;
    expect(failure(template, small)).toBe(expected);
    // Inside text Handlebars passes the helper `undefined` just the same: same message.
    expect(() => engine.renderString(`x ${template}`, small)).toThrow(expected);
  });
});

describe('a value of the wrong kind is a clear error', () => {
  it.each([
    ['{{upper inputs.tags}}', '"upper" needs text for its argument 1, got a list'],
    ['{{trim inputs.nothing}}', '"trim" needs text for its argument 1, got null'],
    ['{{join inputs.settings}}', '"join" needs a list as its argument 1, got an object'],
    ['{{join steps.groups.output.groups}}', '"join" can only join text, numbers and booleans, but item 0 of the list is an object (pick a field first with pluck)'],
    ['{{length 5}}', '"length" needs a list, text or object as its argument 1, got a number'],
    ['{{gt 1 "a"}}', '"gt" compares two numbers or two texts, got a number and text'],
    ['{{lte inputs.tags 1}}', '"lte" compares two numbers or two texts, got a list and a number'],
    ['{{pluck inputs.tags "x"}}', '"pluck" needs a list of objects, but item 0 is text'],
    ['{{pluck steps.groups.output.groups "nmae"}}', '"pluck": item 0 has no "nmae" (it has: id, name)'],
    ['{{pluck steps.groups.output.groups "constructor"}}', '"pluck" can never read "constructor"'],
    ['{{date "yesterday"}}', '"date" needs an ISO-8601 date, milliseconds or "now" as its argument 1, got text'],
    ['{{date "2026-02-30T00:00:00Z" "DD"}}', '"date" needs an ISO-8601 date, milliseconds or "now" as its argument 1, got text'],
    ['{{date "now" 5}}', '"date" needs a format text as its argument 2 (e.g. "YYYY-MM-DD" or "iso"), got a number'],
    ['{{json inputs.tags 20}}', '"json" takes an indent of 0 to 10 spaces as its argument 2, got a number'],
    ['{{concat inputs.tags "x"}}', '"concat" can only join text, numbers and booleans, but argument 1 is a list'],
  ])('%s', (template, expected) => {
    expect(failure(template)).toBe(`${JSON.stringify(template)}: ${expected}`);
  });
});

describe('the helper table', () => {
  it.each([...HELPERS.values()].map((spec) => [spec.name, spec] as const))('%s documents itself with an example that is a valid template calling it', (name, spec) => {
    expect(spec.summary.length).toBeGreaterThan(10);
    const result = analyzeTemplate(spec.example);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.analysis.problems).toEqual([]);
    expect(result.analysis.calls.map((c) => c.name)).toContain(name);
  });
});
