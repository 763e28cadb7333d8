import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ActionRegistry } from '../../../engine/registry/action-registry.js';
import { loadPlugins } from '../../../engine/plugins/load-plugins.js';
import { describeAction, displaySource, summarizeActions, typeName } from '../../../engine/plugins/describe-action.js';
import { formatActionDoc, formatActionList } from '../../../engine/plugins/format-action-doc.js';
import { REPO_ROOT } from './support/idflow-package.js';

const registry = new ActionRegistry();

beforeAll(async () => {
  const problems = await loadPlugins(registry, [
    { origin: 'builtin', source: 'builtin:core', load: () => import('../../../actions/core/index.js') },
    { origin: 'cli', spec: 'examples/plugins/psa-ticket-note.mjs', baseDir: REPO_ROOT },
    { origin: 'cli', spec: 'examples/plugins/greeting.mjs', baseDir: REPO_ROOT },
  ]);
  expect(problems).toEqual([]);
  registry.register(
    {
      id: 'acme.shapes.all',
      description: 'Every kind of parameter',
      params: {
        type: 'object',
        properties: {
          email: { type: 'string', format: 'email' },
          count: { type: 'integer', minimum: 1 },
          ratio: { type: 'number' },
          flag: { type: 'boolean' },
          mode: { enum: ['soft', 'hard'] },
          tags: { type: 'array', items: { type: 'string' } },
          target: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
          either: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
          token: { type: 'string', 'x-secret': true },
          anything: {},
        },
        required: ['email', 'count', 'ratio', 'flag', 'mode', 'tags', 'target', 'either', 'token', 'anything'],
      },
      output: {
        type: 'object',
        description: 'What was found',
        properties: {
          users: { type: 'array', description: 'The users', items: { type: 'object', properties: { id: { type: 'string' }, groups: { type: 'array', items: { type: 'string' } } }, required: ['id'] } },
          total: { type: 'integer', default: 0 },
        },
        required: ['users'],
      },
      run: () => ({ changed: false }),
    },
    '/somewhere/else/shapes.mjs',
  );
});

describe('describeAction', () => {
  it('describes parameters: name, type, required, default, description, enum', () => {
    const doc = describeAction(registry.get('example.psa.ticket_note') as NonNullable<ReturnType<typeof registry.get>>, REPO_ROOT);
    expect(doc).toMatchObject({ id: 'example.psa.ticket_note', source: 'examples/plugins/psa-ticket-note.mjs', plan: true, verify: true, closed: true });
    expect(doc.parameters).toEqual([
      { name: 'ticket_id', type: 'integer | string', required: true, description: 'The PSA ticket to note on (its number).' },
      { name: 'text', type: 'string', required: true, description: 'The note to add, e.g. what the offboarding did.' },
      { name: 'key', type: 'string', required: false, description: expect.stringContaining('Identifies this note') },
      { name: 'internal', type: 'boolean', required: false, default: true, description: 'An internal note (not visible to the client).' },
      { name: 'connection', type: 'string', required: false, default: 'psa', description: expect.stringContaining('The connection') },
    ]);
    const log = describeAction(registry.get('log') as NonNullable<ReturnType<typeof registry.get>>, REPO_ROOT);
    expect(log.parameters[1]).toEqual({ name: 'level', type: '"info" | "warn" | "error"', required: false, default: 'info', description: 'Log level.', enum: ['info', 'warn', 'error'] });
    expect(log).toMatchObject({ source: 'builtin:core', pack: 'core' });
  });

  it('gives a ready-to-paste step: required parameters with example values, optional ones as comments', () => {
    const doc = describeAction(registry.get('example.psa.ticket_note') as NonNullable<ReturnType<typeof registry.get>>, REPO_ROOT);
    expect(doc.step).toBe(
      [
        '- id: ticket_note',
        '  action: example.psa.ticket_note',
        '  with:',
        '    ticket_id: "{{inputs.ticket_id}}"',
        '    text: "Offboarded {{inputs.user_identifier}}: account suspended, groups removed."',
        '    # key: offboarding-{{inputs.user_identifier}}',
        '    # internal: true',
        '    # connection: psa',
      ].join('\n'),
    );
    // It is YAML a template can take as it is.
    expect(parse(doc.step)).toEqual([{ id: 'ticket_note', action: 'example.psa.ticket_note', with: { ticket_id: '{{inputs.ticket_id}}', text: 'Offboarded {{inputs.user_identifier}}: account suspended, groups removed.' } }]);
  });

  it('fills placeholders by type when there is no example, and shows the output in readable form', () => {
    const doc = describeAction(registry.get('acme.shapes.all') as NonNullable<ReturnType<typeof registry.get>>, REPO_ROOT);
    expect(parse(doc.step)).toEqual([
      {
        id: 'all',
        action: 'acme.shapes.all',
        with: { email: 'user@example.com', count: 1, ratio: 0, flag: false, mode: 'soft', tags: ['<tags>'], target: { id: '<id>' }, either: '<either>', token: '<token>', anything: '<anything>' },
      },
    ]);
    expect(doc.parameters.map((p) => [p.name, p.type, p.secret ?? false])).toEqual([
      ['email', 'string (email)', false],
      ['count', 'integer', false],
      ['ratio', 'number', false],
      ['flag', 'boolean', false],
      ['mode', '"soft" | "hard"', false],
      ['tags', 'array of string', false],
      ['target', 'object', false],
      ['either', 'string | integer', false],
      ['token', 'string', true],
      ['anything', 'any', false],
    ]);
    expect(doc.outputLines).toEqual([
      'object — What was found',
      '  users: array of object (required) — The users',
      '    each item:',
      '      id: string (required)',
      '      groups: array of string',
      '  total: integer (default 0)',
    ]);
    expect(doc.source).toBe('/somewhere/else/shapes.mjs');
  });
});

describe('formatting', () => {
  it('lists actions grouped by source, built-ins first', () => {
    const text = formatActionList(summarizeActions(registry.list(), REPO_ROOT));
    expect(text).toContain('builtin:core (pack core)\n');
    expect(text.indexOf('builtin:core')).toBeLessThan(text.indexOf('examples/plugins/psa-ticket-note.mjs'));
    expect(text).toMatch(/examples\/plugins\/greeting\.mjs\n {2}example\.greeting\.say +Write a greeting to the run log\n/);
    expect(text.trimEnd().split('\n').at(-1)).toBe(`${registry.ids().length} actions. Show one with: idflow actions <id>`);
  });

  it('shows one action with its parameter table, output, examples and step', () => {
    const text = formatActionDoc(describeAction(registry.get('example.greeting.say') as NonNullable<ReturnType<typeof registry.get>>, REPO_ROOT));
    expect(text).toBe(`example.greeting.say — Write a greeting to the run log

Source:   examples/plugins/greeting.mjs
Preview:  no (idflow plan reports "would run, no preview")
Verify:   no

Parameters:
  NAME      TYPE    REQUIRED  DEFAULT          DESCRIPTION
  name      string  required                   Who to greet.
  greeting  string  optional  default "Hello"  The word to greet with.

Output:
  object
    message: string (required) — The line written to the log.

Examples:
  Greet the user being offboarded:
    with:
      name: "{{inputs.user_identifier}}"

Step (paste under steps:):

  - id: say
    action: example.greeting.say
    with:
      name: "{{inputs.user_identifier}}"
      # greeting: Hello
`);
  });
});

describe('helpers', () => {
  it('shows sources relative to the working directory when inside it', () => {
    expect(displaySource(join(REPO_ROOT, 'plugins/x.mjs'), REPO_ROOT)).toBe('plugins/x.mjs');
    expect(displaySource(`${join(REPO_ROOT, 'plugins/pack')} (dist/index.js)`, REPO_ROOT)).toBe('plugins/pack (dist/index.js)');
    expect(displaySource('/elsewhere/x.mjs', REPO_ROOT)).toBe('/elsewhere/x.mjs');
    expect(displaySource('builtin:core', REPO_ROOT)).toBe('builtin:core');
    expect(displaySource('idflow-plugin-psa (/x/node_modules/idflow-plugin-psa/index.js)', REPO_ROOT)).toBe('idflow-plugin-psa (/x/node_modules/idflow-plugin-psa/index.js)');
  });

  it('names types', () => {
    expect(typeName({ const: 'x' })).toBe('"x"');
    expect(typeName({ type: ['string', 'null'] })).toBe('string | null');
    expect(typeName({ type: 'array', items: { type: 'array', items: { type: 'integer' } } })).toBe('array of array of integer');
  });
});
