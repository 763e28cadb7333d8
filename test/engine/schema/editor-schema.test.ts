import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createEnvironment } from '../../../engine/cli/environment.js';
import { reportError, type CommandIo } from '../../../engine/cli/command-runner.js';
import { schemaCommand } from '../../../engine/cli/commands/schema.js';
import { loadWorkflowSource } from '../../../engine/loader/load-workflow.js';
import { createAjv, type ValidateFunction } from '../../../engine/schema/ajv.js';
import { EDITOR_SCHEMA_FILE } from '../../../engine/schema/editor-schema.js';
import { editorSchemaText } from '../../../engine/schema/editor-schema-text.js';
import { repoRoot } from '../../support/cli.js';
import { actionModule, tempDir, writeFiles } from '../plugins/support/plugin-files.js';

/** Captures what a command writes; no colours (not a terminal). */
function captureIo(cwd: string): CommandIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: { write: (text: string) => (out += text) }, stderr: { write: (text: string) => (err += text) }, env: {}, cwd, out: () => out, err: () => err };
}

async function runSchema(options: Parameters<typeof schemaCommand>[0], io: CommandIo): Promise<number> {
  try {
    return await schemaCommand(options, io);
  } catch (error) {
    return reportError(error, io);
  }
}

/**
 * Compiles an editor schema as a strict ajv would: the only keywords beyond draft-07 it may
 * hold are the enum descriptions editors show (vscode-json-languageservice's).
 */
function compileEditorSchema(text: string): ValidateFunction {
  const ajv = createAjv();
  ajv.addKeyword({ keyword: 'enumDescriptions', schemaType: 'array' });
  ajv.addKeyword({ keyword: 'markdownEnumDescriptions', schemaType: 'array' });
  const schema = JSON.parse(text) as object;
  expect(ajv.validateSchema(schema), ajv.errorsText(ajv.errors)).toBe(true);
  return ajv.compile(schema);
}

const shippedText = readFileSync(join(repoRoot, 'schemas', EDITOR_SCHEMA_FILE), 'utf8');
const shipped = compileEditorSchema(shippedText);

/** The shipped templates that use only built-in actions. */
const builtinTemplates = [
  ...readdirSync(join(repoRoot, 'templates')).filter((name) => name.endsWith('.yaml') && !name.endsWith('.test.yaml')).map((name) => `templates/${name}`),
  'examples/hello.yaml',
  ...readdirSync(join(repoRoot, 'examples', 'serve')).filter((name) => name.endsWith('.yaml') && name !== 'idflow.config.yaml').map((name) => `examples/serve/${name}`),
];

function readTemplate(file: string): Record<string, unknown> {
  return parse(readFileSync(join(repoRoot, file), 'utf8')) as Record<string, unknown>;
}

function offboarding(): { data: Record<string, unknown>; steps: Array<Record<string, unknown>> } {
  const data = readTemplate('templates/jumpcloud-offboarding.yaml');
  return { data, steps: data.steps as Array<Record<string, unknown>> };
}

describe('the shipped editor schema (schemas/workflow.schema.json)', () => {
  it('is what idflow schema writes for the built-in actions', async () => {
    const { registry, problems } = await createEnvironment({ cwd: tempDir('idflow-schema-builtin-') });
    expect(problems).toEqual([]);
    const current = editorSchemaText(registry.list().map((action) => action.definition));
    expect(shippedText === current, 'schemas/workflow.schema.json is out of date: regenerate it from the repository root with "npm run build && node dist/engine/cli/main.js schema --out schemas/workflow.schema.json"').toBe(true);
  });

  it.each(builtinTemplates)('accepts %s', (file) => {
    const valid = shipped(readTemplate(file));
    expect(shipped.errors ?? [], file).toEqual([]);
    expect(valid).toBe(true);
  });

  it('lists every built-in action id with its description for completion', () => {
    const action = (JSON.parse(shippedText) as { definitions: { step: { properties: { action: { enum: string[]; enumDescriptions: string[] } } } } }).definitions.step.properties.action;
    expect(action.enum).toEqual(expect.arrayContaining(['log', 'jumpcloud.user.lookup', 'jumpcloud.user.deactivate']));
    expect(action.enumDescriptions).toHaveLength(action.enum.length);
    expect(action.enumDescriptions.every((text) => text.length > 0)).toBe(true);
  });

  it('refuses a misspelt parameter in with:, at that step', async () => {
    const { data, steps } = offboarding();
    const index = steps.findIndex((step) => step.action === 'jumpcloud.user.lookup');
    const step = steps[index] as { with: Record<string, unknown> };
    const [name, value] = Object.entries(step.with)[0] as [string, unknown];
    step.with = { [`${name}x`]: value };
    expect(shipped(data)).toBe(false);
    expect(shipped.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ instancePath: `/steps/${index}/with`, keyword: 'additionalProperties', params: { additionalProperty: `${name}x` } })]),
    );
    // The loader finds the same mistake (with its own wording): the two agree.
    const { registry } = await createEnvironment({ cwd: tempDir('idflow-schema-loader-') });
    const loaded = await loadWorkflowSource(JSON.stringify(data), 'offboarding.json', { registry });
    expect(loaded.workflow).toBeUndefined();
    expect(loaded.problems.map((problem) => problem.message).join('\n')).toContain(`${name}x`);
  });

  it('refuses a value outside an enum, a wrong type and a missing required parameter; accepts a template wherever a value is', () => {
    const base = { id: 'x', name: 'X', steps: [{ id: 'say', action: 'log', with: { message: 'hi' } }] };
    expect(shipped(base)).toBe(true);
    const withLog = (params: Record<string, unknown> | undefined): unknown => ({ ...base, steps: [{ id: 'say', action: 'log', ...(params === undefined ? {} : { with: params }) }] });
    const logParams = (JSON.parse(shippedText) as { definitions: { step: { allOf: Array<{ if: { properties: { action: { const: string } } }; then: { properties: { with: { properties: Record<string, unknown> } } } }> } } })
      .definitions.step.allOf.find((entry) => entry.if.properties.action.const === 'log')?.then.properties.with.properties;
    expect(Object.keys(logParams ?? {})).toContain('level');
    expect(shipped(withLog({ message: 'hi', level: 'loud' }))).toBe(false);
    expect(shipped(withLog({ message: 'hi', level: '{{inputs.level}}' }))).toBe(true);
    expect(shipped(withLog({ message: 42 }))).toBe(false);
    expect(shipped(withLog(undefined))).toBe(false);
    expect(shipped({ ...base, steps: [{ id: 'say', action: 'lgo', with: { message: 'hi' } }] })).toBe(false);
  });
});

describe('idflow schema', () => {
  function project(): string {
    return writeFiles(tempDir('idflow-schema-'), {
      'idflow.config.yaml': 'plugins:\n  - plugins/from-config.mjs\n',
      'plugins/from-config.mjs': actionModule('acme.config.touch', { description: 'Loaded from the config' }),
      'plugins/greet.mjs': actionModule('acme.greeting.say', { description: 'Says hello' }),
      'plugins/broken.mjs': 'export default {',
    });
  }

  it('writes to stdout the schema for the built-in actions and the config\'s and --plugin\'s, and checks their parameters', async () => {
    const cwd = project();
    const io = captureIo(cwd);
    expect(await runSchema({ plugin: ['plugins/greet.mjs'] }, io)).toBe(0);
    expect(io.err()).toBe('');
    const schema = JSON.parse(io.out()) as { definitions: { step: { properties: { action: { enum: string[]; enumDescriptions: string[] } } } } };
    const action = schema.definitions.step.properties.action;
    expect(action.enum).toEqual(expect.arrayContaining(['log', 'acme.config.touch', 'acme.greeting.say']));
    expect(action.enumDescriptions[action.enum.indexOf('acme.greeting.say')]).toBe('Says hello');
    const validate = compileEditorSchema(io.out());
    const template = (params: Record<string, unknown>): unknown => ({ id: 'x', name: 'X', steps: [{ id: 'greet', action: 'acme.greeting.say', with: params }] });
    expect(validate(template({ name: 'Ada' }))).toBe(true);
    expect(validate(template({ nmae: 'Ada' }))).toBe(false);
    // The shipped schema knows only the built-in actions.
    expect(shipped(template({ name: 'Ada' }))).toBe(false);
  });

  it('accepts the example template that uses plugins against a schema generated with them', async () => {
    const io = captureIo(repoRoot);
    expect(await runSchema({ plugin: ['examples/plugins/greeting.mjs', 'examples/plugins/psa-ticket-note.mjs'] }, io)).toBe(0);
    const validate = compileEditorSchema(io.out());
    const valid = validate(readTemplate('examples/psa-offboarding-note.yaml'));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('--out writes the file (relative to the working directory) and says so', async () => {
    const cwd = project();
    const io = captureIo(cwd);
    expect(await runSchema({ out: 'idflow.schema.json' }, io)).toBe(0);
    expect(io.out()).toBe('');
    expect(io.err()).toMatch(/^Wrote the schema with \d+ actions to idflow\.schema\.json\n$/);
    expect(JSON.parse(readFileSync(join(cwd, 'idflow.schema.json'), 'utf8'))).toMatchObject({ $schema: 'http://json-schema.org/draft-07/schema#' });
  });

  it('writes nothing and exits 2 when a plugin does not load, naming it', async () => {
    const cwd = project();
    const io = captureIo(cwd);
    expect(await runSchema({ plugin: ['plugins/broken.mjs'], out: 'idflow.schema.json' }, io)).toBe(2);
    expect(io.err()).toContain('broken.mjs');
    expect(io.err()).toContain('no schema written');
    expect(existsSync(join(cwd, 'idflow.schema.json'))).toBe(false);
  });
});
