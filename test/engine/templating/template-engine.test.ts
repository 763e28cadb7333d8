import { describe, expect, it } from 'vitest';
import { createTemplateEngine, TemplateError } from '../../../engine/templating/index.js';
import { sampleData } from './sample-data.js';

const engine = createTemplateEngine();
const data = sampleData();

/** The TemplateError a render throws (failing the test when it does not throw one). */
function renderError(render: () => unknown): TemplateError {
  try {
    render();
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return error as TemplateError;
  }
  throw new Error('expected the render to fail');
}

describe('renderString', () => {
  it.each([
    ['Hello {{inputs.name}}', "Hello O'Neil <x>"],
    ['{{{inputs.name}}} & {{inputs.name}}', "O'Neil <x> & O'Neil <x>"],
    ['a = b, `c`, "d" {{inputs.reason}}', 'a = b, `c`, "d" left the company'],
    ['Days: {{inputs.days}}', 'Days: 30'],
    ['{{inputs.days}}', '30'],
    ['[{{inputs.nothing}}]', '[]'],
    ['{{steps.lookup.changed}}/{{steps.groups.changed}}/{{steps.lookup.status}}', 'false/true/succeeded'],
    ['{{#if inputs.notify}}yes{{else}}no{{/if}}', 'yes'],
    ['{{#unless inputs.empty}}empty{{/unless}}', 'empty'],
    ['{{#if steps.groups.output.empty}}some{{else}}none{{/if}}', 'none'],
    ['{{#each steps.groups.output.groups}}{{@index}}:{{name}};{{/each}}', '0:Admins;1:VPN;'],
    ['{{#each steps.groups.output.groups as |group|}}{{group.id}} {{/each}}', 'g1 g2 '],
    ['{{#each steps.groups.output.empty}}x{{else}}no groups{{/each}}', 'no groups'],
    ['{{#with steps.lookup.output.user}}{{username}} <{{email}}>{{/with}}', 'jane <jane@example.com>'],
    ['{{#each inputs.tags}}{{this}}={{@root.inputs.days}}/{{../vars.retention_days}} {{/each}}', 'a=30/0 b=30/0 '],
    ['{{#if (gt steps.lookup.output.count 2)}}many{{/if}}', 'many'],
    ['no braces at all', 'no braces at all'],
    ['\\{{inputs.name}} is written as is', '{{inputs.name}} is written as is'],
    ['{{json inputs.settings}}', '{"mode":"disable"}'],
    // Handlebars with noEscape would add these ("60", "2"): values are joined as text.
    ['{{inputs.days}}{{inputs.days}}', '3030'],
    ['{{inputs.notify}}{{inputs.notify}}', 'truetrue'],
    ['{{#each steps.groups.output.groups}}{{@index}}{{@index}}{{/each}}', '0011'],
    ['{{length inputs.tags}}{{length inputs.tags}} items', '22 items'],
    // A template that is one literal means the literal, as in renderValue.
    ['{{true}}', 'true'],
    [' {{42}} ', ' 42 '],
    ['{{null}}', ''],
    ['{{"text"}}', 'text'],
  ])('%s', (template, expected) => {
    expect(engine.renderString(template, data)).toBe(expected);
  });

  it('never renders a rendered result again', () => {
    const injected = { ...data, inputs: { ...data.inputs, reason: '{{secret "smtp"}} {{inputs.days}}' } };
    expect(engine.renderString('Why: {{inputs.reason}}', injected)).toBe('Why: {{secret "smtp"}} {{inputs.days}}');
    expect(engine.renderValue('{{inputs.reason}}', injected)).toBe('{{secret "smtp"}} {{inputs.days}}');
  });

  it('refuses anything but text as a template', () => {
    const error = renderError(() => engine.renderString({ type: 'Program', body: [] } as unknown as string, data, { where: 'output' }));
    expect(error.message).toBe('output: only text can be a template, got object');
  });
});

describe('only the branch that runs is rendered', () => {
  // A step that returned nothing, was skipped or failed under continue_on_error shows `{}`.
  const skipped = { ...data, steps: { ...data.steps, lock_devices: { status: 'skipped' as const, changed: false, output: {} } } };

  it.each([
    // The shipped employee-offboarding example: the device step was skipped (issue 10, case 10).
    ['{{#if steps.lock_devices.output}}locked (HTTP {{steps.lock_devices.output.status}}){{else}}none{{/if}}', 'none'],
    ['{{#unless steps.lock_devices.output}}none{{else}}HTTP {{steps.lock_devices.output.status}}{{/unless}}', 'none'],
    ['{{#with steps.lock_devices.output}}HTTP {{status}}{{else}}none{{/with}}', 'none'],
    ['{{#each steps.lock_devices.output}}{{@key}}{{else}}none{{/each}}', 'none'],
    ['{{#if (and steps.lock_devices.output true)}}{{steps.lock_devices.output.status}}{{else}}none{{/if}}', 'none'],
    ['{{#if (not steps.lock_devices.output)}}none{{/if}}', 'none'],
    ['{{#if (or steps.lock_devices.output steps.lookup.output)}}lookup{{/if}}', 'lookup'],
    // A false branch with a strict lookup that would fail is never evaluated, in every block helper.
    ['{{#if inputs.empty}}{{steps.lock_devices.output.status}}{{/if}}.', '.'],
    ['{{#if inputs.notify}}yes{{else}}{{steps.lock_devices.output.status}}{{/if}}', 'yes'],
    ['{{#unless inputs.notify}}{{steps.lock_devices.output.status}}{{/unless}}.', '.'],
    ['{{#with inputs.nothing}}{{steps.lock_devices.output.status}}{{else}}none{{/with}}', 'none'],
    ['{{#each steps.groups.output.empty}}{{steps.lock_devices.output.status}}{{else}}none{{/each}}', 'none'],
    ['{{#if inputs.empty}}{{upper steps.lock_devices.output.status}}{{else if inputs.nothing}}{{x.y}}{{else}}third{{/if}}', 'third'],
    // A non-empty object still counts, and includeZero keeps its meaning.
    ['{{#if steps.lookup.output}}found{{/if}}', 'found'],
    ['{{#with steps.lookup.output}}{{count}}{{/with}}', '3'],
    ['{{#if vars.retention_days includeZero=true}}zero counts{{/if}}', 'zero counts'],
  ])('%s', (template, expected) => {
    expect(engine.renderString(template, skipped)).toBe(expected);
  });

  it('still fails on a strict lookup in the branch that runs', () => {
    const ran = { ...data, steps: { ...data.steps, lock_devices: { status: 'succeeded' as const, changed: true, output: { code: 200 } } } };
    expect(renderError(() => engine.renderString('{{#if steps.lock_devices.output}}HTTP {{steps.lock_devices.output.status}}{{/if}}', ran)).message).toBe(
      '"{{steps.lock_devices.output.status}}": "status" is not defined in steps.lock_devices.output (it has: code)',
    );
  });
});

describe('renderValue keeps the type of a single expression', () => {
  it.each([
    ['{{steps.lookup.output.count}}', 3],
    ['{{inputs.notify}}', true],
    ['  {{ inputs.days }}\n', 30],
    ['{{steps.groups.output.groups}}', [{ id: 'g1', name: 'Admins' }, { id: 'g2', name: 'VPN' }]],
    ['{{steps.groups.output.empty}}', []],
    ['{{inputs.settings}}', { mode: 'disable' }],
    ['{{inputs.nothing}}', null],
    ['{{steps.skipped.output}}', null],
    ['{{true}}', true],
    ['{{false}}', false],
    ['{{42}}', 42],
    ['{{null}}', null],
    ['{{"text"}}', 'text'],
    ['{{default inputs.absent vars.it_email}}', 'it@example.com'],
    ['{{default inputs.empty inputs.days}}', 30],
    ['{{default inputs.nothing steps.groups.output.groups.[1].name}}', 'VPN'],
    ['{{steps.groups.output.groups.0.name}}', 'Admins'],
    ['{{eq inputs.days 30}}', true],
    ['{{length inputs.tags}}', 2],
    ['{{pluck steps.groups.output.groups "id"}}', ['g1', 'g2']],
    ['{{@root.inputs.days}}', 30],
    ['Hi {{inputs.days}}', 'Hi 30'],
    ['{{inputs.days}}{{inputs.days}}', '3030'],
    ['{{inputs.days}} ', 30],
    ['plain text', 'plain text'],
  ])('%s', (template, expected) => {
    expect(engine.renderValue(template, data)).toEqual(expected);
  });

  it('walks arrays and objects into new ones and never mutates the input', () => {
    const input = Object.freeze({
      a: Object.freeze(['{{inputs.days}}', Object.freeze({ b: '{{inputs.notify}}', c: 'Hi {{inputs.reason}}' })]),
      n: 5,
      z: null,
      t: 'plain',
    });
    const result = engine.renderValue(input, data);
    expect(result).toEqual({ a: [30, { b: true, c: 'Hi left the company' }], n: 5, z: null, t: 'plain' });
    expect(result).not.toBe(input);
    expect(input.a[0]).toBe('{{inputs.days}}');
  });

  it('keeps a "__proto__" key as plain data', () => {
    const input = JSON.parse('{"__proto__": "{{inputs.days}}", "x": 1}') as unknown;
    const result = engine.renderValue(input, data) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(result, '__proto__')?.value).toBe(30);
  });
});

describe('render errors name the place, the expression and what is missing', () => {
  const where = 'steps[3].with.message';
  it.each([
    ['{{steps.lookup.output.user.emial}}', '"{{steps.lookup.output.user.emial}}": "emial" is not defined in steps.lookup.output.user (it has: email, username, id)'],
    ['{{steps.nope.output.x}}', '"{{steps.nope.output.x}}": "nope" is not defined in steps (it has: lookup, groups, skipped)'],
    ['{{steps.skipped.output.user}}', '"{{steps.skipped.output.user}}": "user" cannot be read: steps.skipped.output is null'],
    ['{{input.name}}', '"{{input.name}}": "input" is not defined (the data has: inputs, vars, event, steps, run)'],
    ['{{steps.groups.output.groups.[5].name}}', '"{{steps.groups.output.groups.[5].name}}": item 5 is not defined in steps.groups.output.groups (it has 2 items)'],
    ['{{steps.groups.output.groups.first}}', '"{{steps.groups.output.groups.first}}": "first" is not defined in steps.groups.output.groups (it is a list of 2 items)'],
    ['{{inputs.reason.length}}', '"{{inputs.reason.length}}": "length" cannot be read: inputs.reason is text'],
    ['{{inputs.toString}}', '"{{inputs.toString}}": "toString" is not defined in inputs (it has: name, reason, days, notify, empty, nothing, tags, settings)'],
    ['{{steps.groups.output.groups.map}}', '"{{steps.groups.output.groups.map}}": "map" is not defined in steps.groups.output.groups (it is a list of 2 items)'],
    ['{{upper inputs.nmae}}', '"{{upper inputs.nmae}}": "upper" needs a value for its argument 1, but "nmae" is not defined in inputs (it has: name, reason, days, notify, empty, nothing, tags, settings)'],
    ['{{join (pluck steps.groups.output.groups "nmae")}}', '"{{join (pluck steps.groups.output.groups \\"nmae\\")}}": "pluck": item 0 has no "nmae" (it has: id, name)'],
    ['{{upper (default inputs.absent inputs.gone)}}', '"{{upper (default inputs.absent inputs.gone)}}": "upper" needs a value for its argument 1, but (default …) gave nothing'],
    ['{{default steps.nope.output "x"}}', '"{{default steps.nope.output \\"x\\"}}": "nope" is not defined in steps (it has: lookup, groups, skipped)'],
  ])('%s', (template, expected) => {
    // The same error whether the expression is the whole value or part of a text.
    const alone = renderError(() => engine.renderValue(template, data, { where }));
    const inText = renderError(() => engine.renderString(`Note: ${template}.`, data, { where }));
    expect(alone.message).toBe(`${where}: ${expected}`);
    expect(inText.message).toBe(`${where}: ${expected}`);
  });

  it('is a non-retryable TEMPLATE_RENDER error with the position in its details', () => {
    const error = renderError(() => engine.renderString('Hello\n  {{inputs.nmae}}', data, { where: 'output.greeting' }));
    expect(error.code).toBe('TEMPLATE_RENDER');
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({ where: 'output.greeting', expression: '{{inputs.nmae}}', line: 2, column: 5 });
  });

  it('leaves the location out when none is given', () => {
    expect(renderError(() => engine.renderValue('{{inputs.nmae}}', data)).message).toBe(
      '"{{inputs.nmae}}": "nmae" is not defined in inputs (it has: name, reason, days, notify, empty, nothing, tags, settings)',
    );
  });

  it('names nested locations inside objects and lists', () => {
    const error = renderError(() => engine.renderValue({ to: ['ok', { name: '{{inputs.nmae}}' }] }, data, { where: 'steps[1].with' }));
    expect(error.message.startsWith('steps[1].with.to[1].name: "{{inputs.nmae}}": ')).toBe(true);
  });

  it.each([
    ['{{#each steps.groups.output.groups}}{{nmae}}{{/each}}', '"{{nmae}}": "nmae" is not defined in the current item of {{#each steps.groups.output.groups}}'],
    ['{{#each inputs.tags}}{{this.x}}{{/each}}', '"{{this.x}}": "this.x" cannot be read in the current item of {{#each inputs.tags}}'],
    ['{{#with steps.lookup.output.user}}{{mail}}{{/with}}', '"{{mail}}": "mail" is not defined in the context of {{#with steps.lookup.output.user}}'],
    ['{{#each steps.groups.output.groups}}{{upper nmae}}{{/each}}', '"{{upper nmae}}": "upper" needs a value for its argument 1, but "nmae" has no value in the current item of {{#each steps.groups.output.groups}}'],
    ['{{#if inputs.notify}}{{steps.lookup.output.user.emial}}{{/if}}', '"{{steps.lookup.output.user.emial}}": "emial" is not defined in steps.lookup.output.user (it has: email, username, id)'],
    ['{{#if inputs.notify}}{{steps.nope.output.x}}{{/if}}', '"{{steps.nope.output.x}}": "nope" is not defined in steps (it has: lookup, groups, skipped)'],
    ['{{#if inputs.notify}}x{{else}}{{steps.nope.output.x}}{{/if}}', undefined],
  ])('inside blocks: %s', (template, expected) => {
    if (expected === undefined) {
      expect(engine.renderString(template, data)).toBe('x');
      return;
    }
    expect(renderError(() => engine.renderString(template, data, { where: 'w' })).message).toBe(`w: ${expected}`);
  });

  it.each([
    ['{{inputs.name', 'w: "{{inputs.name": template syntax error: "{{" is never closed with "}}" (line 1, column 1)'],
    ['{{#if inputs.notify}}x', 'w: "{{#if inputs.notify}}x": template syntax error: found the end of the text where one of "{{else …}}", "{{else}}", a closing "{{/…}}" was expected (line 1, column 23)'],
    ['{{frob inputs.name}}', 'w: "{{frob inputs.name}}": unknown helper "frob" (line 1, column 3)'],
    ['{{upper inputs.name inputs.reason}}', 'w: "{{upper inputs.name inputs.reason}}": "upper" takes 1 argument, got 2 (line 1, column 3)'],
    ['{{> partial}}', 'w: "{{> partial}}": partials ({{> name}}) are not supported in idflow templates (line 1, column 1)'],
    ['{{log "x"}}', 'w: "{{log \\"x\\"}}": unknown helper "log" (line 1, column 3)'],
    ['{{lookup inputs "name"}}', 'w: "{{lookup inputs \\"name\\"}}": unknown helper "lookup" (line 1, column 3)'],
    ['a {{true}} b', 'w: "a {{true}} b": a literal such as {{true}} only makes sense as the whole value; inside text, write it out directly (line 1, column 3)'],
  ])('a template that can never render fails before anything is evaluated: %s', (template, expected) => {
    expect(renderError(() => engine.renderValue(template, data, { where: 'w' })).message).toBe(expected);
    expect(renderError(() => engine.renderString(template, data, { where: 'w' })).message).toBe(expected);
  });
});

describe('prototypes are never reached', () => {
  it.each([
    ['{{constructor}}', '"constructor" can never be read (it would reach a prototype) (line 1, column 3)'],
    ['{{inputs.__proto__}}', '"__proto__" can never be read (it would reach a prototype) (line 1, column 3)'],
    ['{{inputs.constructor.name}}', '"constructor" can never be read (it would reach a prototype) (line 1, column 3)'],
    ['{{steps.lookup.output.prototype}}', '"prototype" can never be read (it would reach a prototype) (line 1, column 3)'],
    ['{{#each inputs.tags}}{{this.constructor}}{{/each}}', '"constructor" can never be read (it would reach a prototype) (line 1, column 24)'],
    ['{{json inputs.__lookupGetter__}}', '"__lookupGetter__" can never be read (it would reach a prototype) (line 1, column 8)'],
  ])('%s', (template, expected) => {
    expect(renderError(() => engine.renderValue(template, data)).message).toBe(`${JSON.stringify(template)}: ${expected}`);
    expect(renderError(() => engine.renderString(template, data)).message).toBe(`${JSON.stringify(template)}: ${expected}`);
  });

  it('does not read an own "constructor" key that came with the data either', () => {
    const hostile = { ...data, inputs: JSON.parse('{"constructor": {"name": "x"}, "__proto__": {"polluted": true}}') as Record<string, unknown> };
    expect(renderError(() => engine.renderString('{{inputs.constructor.name}}', hostile)).message).toContain('"constructor" can never be read');
    expect(renderError(() => engine.renderValue('{{inputs.__proto__.polluted}}', hostile)).message).toContain('"__proto__" can never be read');
  });

  it('treats an inherited name passed to a helper as absent', () => {
    expect(engine.renderString('{{default inputs.toString "none"}}', data)).toBe('none');
    expect(engine.renderValue('{{default inputs.toString "none"}}', data)).toBe('none');
  });

  it('writes nothing to stdout: the Handlebars logger goes to stderr', async () => {
    const { default: Handlebars } = await import('handlebars');
    const stdout: string[] = [];
    const stderr: string[] = [];
    const originalOut = process.stdout.write.bind(process.stdout);
    const originalErr = process.stderr.write.bind(process.stderr);
    const capture = (into: string[]) => ((chunk: string | Uint8Array) => {
      into.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = capture(stdout);
    process.stderr.write = capture(stderr);
    try {
      // A denied prototype read becomes this render's error, not a log line.
      renderError(() => engine.renderString('{{#each inputs.tags}}{{this.valueOf}}{{/each}}', data));
      Handlebars.logger.log(Handlebars.logger.INFO, 'an info message');
    } finally {
      process.stdout.write = originalOut;
      process.stderr.write = originalErr;
    }
    expect(stdout).toEqual([]);
    expect(stderr).toEqual(['idflow (handlebars): an info message\n']);
  });
});

describe('secrets', () => {
  const secret = (name: string): string | undefined => (name === 'smtp_password' ? 'hunter2' : undefined);

  it('reads a secret by name, in a single expression and in text', () => {
    expect(engine.renderValue('{{secret "smtp_password"}}', data, { secret })).toBe('hunter2');
    expect(engine.renderString('pw={{secret "smtp_password"}}', data, { secret })).toBe('pw=hunter2');
  });

  it('names an unknown secret', () => {
    expect(renderError(() => engine.renderValue('{{secret "api_key"}}', data, { secret, where: 'steps[0].with.token' })).message).toBe(
      'steps[0].with.token: "{{secret \\"api_key\\"}}": secret "api_key" is not configured',
    );
  });

  it('fails clearly when the render was given no secrets', () => {
    expect(renderError(() => engine.renderString('{{secret "smtp_password"}}', data)).message).toBe('"{{secret \\"smtp_password\\"}}": secret "smtp_password" is not configured');
  });

  it('refuses a name that is not a quoted string', () => {
    expect(renderError(() => engine.renderString('{{secret inputs.name}}', data, { secret })).message).toBe(
      '"{{secret inputs.name}}": "secret" needs the secret\'s name as a quoted string, e.g. {{secret "smtp_password"}} (line 1, column 10)',
    );
  });

  it('does not leak one render\'s secrets into the next', () => {
    expect(engine.renderString('{{secret "smtp_password"}}', data, { secret })).toBe('hunter2');
    expect(() => engine.renderString('{{secret "smtp_password"}}', data)).toThrow(TemplateError);
  });
});

describe('engines', () => {
  it('are isolated from the global Handlebars instance', async () => {
    const { default: Handlebars } = await import('handlebars');
    createTemplateEngine();
    expect(Object.keys(Handlebars.helpers)).not.toContain('upper');
  });

  it('give the same result from the cache as on first use', () => {
    const fresh = createTemplateEngine();
    const first = fresh.renderString('Hi {{inputs.name}}', data);
    expect(fresh.renderString('Hi {{inputs.name}}', data)).toBe(first);
    const failure = renderError(() => fresh.renderString('{{frob}}x{{', data, { where: 'a' }));
    expect(renderError(() => fresh.renderString('{{frob}}x{{', data, { where: 'b' })).message).toBe(failure.message.replace(/^a:/, 'b:'));
  });
});
