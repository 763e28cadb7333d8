import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { actionsCommand } from '../../../engine/cli/commands/actions.js';
import type { CommandIo } from '../../../engine/cli/command-runner.js';
import { reportError } from '../../../engine/cli/command-runner.js';
import { actionModule, tempDir, writeFiles } from '../plugins/support/plugin-files.js';
import { REPO_ROOT } from '../plugins/support/idflow-package.js';

/** Captures what a command writes; no colours (not a terminal). */
function captureIo(cwd: string): CommandIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env: {},
    cwd,
    out: () => out,
    err: () => err,
  };
}

/** Runs the command as runCommand does: a thrown error is reported and becomes the exit code. */
async function run(options: Parameters<typeof actionsCommand>[0], io: CommandIo): Promise<number> {
  try {
    return await actionsCommand(options, io);
  } catch (error) {
    return reportError(error, io);
  }
}

function project(): string {
  return writeFiles(tempDir('idflow-actions-'), {
    'idflow.config.yaml': 'plugins:\n  - plugins/from-config.mjs\n',
    'plugins/from-config.mjs': actionModule('acme.config.touch', { description: 'Loaded from the config' }),
    'plugins/greet.mjs': actionModule('acme.greeting.say', { description: 'Says hello' }),
  });
}

describe('idflow actions', () => {
  it('lists built-in actions and those from the config and --plugin, with description and source', async () => {
    const cwd = project();
    const io = captureIo(cwd);
    expect(await run({ plugin: ['plugins/greet.mjs'] }, io)).toBe(0);
    const text = io.out();
    expect(text).toMatch(/^builtin:core \(pack core\)\n/m);
    expect(text).toMatch(/^ {2}log +Write a message to the run log$/m);
    expect(text).toMatch(/^plugins\/from-config\.mjs\n {2}acme\.config\.touch +Loaded from the config\n/m);
    expect(text).toMatch(/^plugins\/greet\.mjs\n {2}acme\.greeting\.say +Says hello\n/m);
    expect(text).toMatch(/\d+ actions\. Show one with: idflow actions <id>\n$/);
    expect(io.err()).toBe('');
  });

  it('--json lists every action with id, description, source and pack', async () => {
    const cwd = project();
    const io = captureIo(cwd);
    expect(await run({ json: true, plugin: ['plugins/greet.mjs'] }, io)).toBe(0);
    const listed = JSON.parse(io.out()) as { actions: Array<{ id: string; description: string; source: string; pack?: string }>; problems: unknown[] };
    expect(listed.problems).toEqual([]);
    expect(listed.actions).toContainEqual({ id: 'log', description: 'Write a message to the run log', source: 'builtin:core', pack: 'core' });
    expect(listed.actions).toContainEqual({ id: 'acme.greeting.say', description: 'Says hello', source: 'plugins/greet.mjs' });
    expect(listed.actions).toContainEqual({ id: 'acme.config.touch', description: 'Loaded from the config', source: 'plugins/from-config.mjs' });
    expect(listed.actions.map((a) => a.id)).toEqual([...listed.actions.map((a) => a.id)].sort());
  });

  it('shows one action: parameters, output, examples and a step ready to paste', async () => {
    const io = captureIo(REPO_ROOT);
    expect(await run({ id: 'example.psa.ticket_note', plugin: ['examples/plugins/psa-ticket-note.mjs'] }, io)).toBe(0);
    const text = io.out();
    expect(text).toContain('example.psa.ticket_note — Add an offboarding note to a PSA ticket (once)\n');
    expect(text).toContain('Source:   examples/plugins/psa-ticket-note.mjs\n');
    expect(text).toContain('Preview:  yes');
    expect(text).toMatch(/ {2}NAME +TYPE +REQUIRED +DEFAULT +DESCRIPTION\n {2}ticket_id +integer \| string +required +The PSA ticket to note on \(its number\)\.\n/);
    expect(text).toMatch(/ {2}internal +boolean +optional +default true +An internal note/);
    expect(text).toContain('Output:\n  object\n    ticket_id: integer (required) — The ticket.\n');
    expect(text).toContain('Examples:\n  Note the offboarding on the ticket that asked for it:\n    with:\n      ticket_id: "{{inputs.ticket_id}}"\n');
    const step = text.slice(text.indexOf('Step (paste under steps:):\n\n') + 'Step (paste under steps:):\n\n'.length);
    expect(parse(step.replace(/^ {2}/gm, ''))).toEqual([
      { id: 'ticket_note', action: 'example.psa.ticket_note', with: { ticket_id: '{{inputs.ticket_id}}', text: 'Offboarded {{inputs.user_identifier}}: account suspended, groups removed.' } },
    ]);
  });

  it('shows one action as JSON', async () => {
    const io = captureIo(REPO_ROOT);
    expect(await run({ id: 'log', json: true }, io)).toBe(0);
    const { action } = JSON.parse(io.out()) as { action: Record<string, unknown> };
    expect(action).toMatchObject({
      id: 'log',
      source: 'builtin:core',
      pack: 'core',
      plan: true,
      verify: false,
      parameters: [
        { name: 'message', type: 'string', required: true, description: 'The line to write.' },
        { name: 'level', type: '"info" | "warn" | "error"', required: false, default: 'info', enum: ['info', 'warn', 'error'] },
      ],
      examples: [{ description: 'Note who started the run', with: { message: 'Offboarding started by {{run.initiated_by}}', level: 'info' } }],
    });
    expect(action['step']).toBe('- id: log\n  action: log\n  with:\n    message: Offboarding started by {{run.initiated_by}}\n    # level: info');
  });

  it('an unknown id is an error with did-you-mean, exit 2', async () => {
    const io = captureIo(project());
    expect(await run({ id: 'acme.greeting.sya', plugin: ['plugins/greet.mjs'] }, io)).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toBe('idflow: error: Unknown action "acme.greeting.sya". Did you mean "acme.greeting.say"? Run idflow actions to list them all.\n');
  });

  it('a plugin that does not load is reported (naming its file) after the others are listed, exit 2', async () => {
    const cwd = writeFiles(project(), { 'plugins/broken.mjs': "export default { id: 'acme.broken.x', description: 'no run', params: { type: 'object' } };\n" });
    const io = captureIo(cwd);
    expect(await run({ plugin: ['plugins/broken.mjs', 'plugins/greet.mjs'] }, io)).toBe(2);
    expect(io.out()).toContain('acme.greeting.say');
    expect(io.err()).toBe(`--plugin plugins/broken.mjs: error: ${join(cwd, 'plugins/broken.mjs')} (default export): action "acme.broken.x" has no "run" function [PLUGIN_INVALID]\n`);

    const json = captureIo(cwd);
    expect(await run({ json: true, plugin: ['plugins/broken.mjs'] }, json)).toBe(2);
    expect((JSON.parse(json.out()) as { problems: unknown[] }).problems).toEqual([
      { file: '--plugin plugins/broken.mjs', line: 0, column: 0, path: '', code: 'PLUGIN_INVALID', message: expect.stringContaining('has no "run" function'), severity: 'error' },
    ]);
    expect(json.err()).toBe('');
  });

  it('a broken plugin from the config is reported at its plugins: entry', async () => {
    const cwd = writeFiles(tempDir('idflow-actions-'), { 'idflow.config.yaml': 'plugins:\n  - ./missing.mjs\n' });
    const io = captureIo(cwd);
    expect(await run({}, io)).toBe(2);
    expect(io.err()).toContain(`idflow.config.yaml:2:5: error: the plugin "./missing.mjs" could not be loaded: Plugin file not found: ${join(cwd, 'missing.mjs')}`);
  });
});

describe('idflow actions --markdown', () => {
  it('writes the reference of every action, built-in and from plugins, grouped by source', async () => {
    const cwd = project();
    const io = captureIo(cwd);
    expect(await run({ markdown: true, plugin: ['plugins/greet.mjs'] }, io)).toBe(0);
    const text = io.out();
    expect(text).toMatch(/^# Action reference\n/);
    expect(text).toContain('\n## The core pack (built in)\n');
    expect(text).toContain('\n## Actions from plugins/from-config.mjs\n');
    expect(text).toContain('\n## Actions from plugins/greet.mjs\n');
    // Plugins after the built-in packs, each action in the index and in full.
    expect(text.indexOf('## Actions from plugins/greet.mjs')).toBeGreaterThan(text.indexOf('## The jumpcloud pack (built in)'));
    expect(text).toContain('  - [`acme.greeting.say`](#acmegreetingsay): Says hello\n');
    expect(text).toContain('### `acme.greeting.say`\n\nSays hello.\n');
    expect(text).toContain('| `name` | `string` | no |  |  |');
    expect(text).toContain('| `level` | `"info" \\| "warn" \\| "error"` | no | `"info"` |');
    expect(io.err()).toBe('');
  });

  it('with an ID writes only that action, and with --out writes the file instead of stdout', async () => {
    const cwd = project();
    const io = captureIo(cwd);
    expect(await run({ id: 'acme.greeting.say', markdown: true, out: 'docs/reference.md', plugin: ['plugins/greet.mjs'] }, io)).toBe(0);
    expect(io.out()).toBe('');
    expect(io.err()).toBe('Wrote the reference of 1 action to docs/reference.md\n');
    const text = readFileSync(join(cwd, 'docs/reference.md'), 'utf8');
    expect(text).toContain('### `acme.greeting.say`');
    expect(text).not.toContain('### `log`');
  });

  it('writes nothing when a plugin does not load, exit 2', async () => {
    const cwd = writeFiles(project(), { 'plugins/broken.mjs': "export default { id: 'acme.broken.x', description: 'no run', params: { type: 'object' } };\n" });
    const io = captureIo(cwd);
    expect(await run({ markdown: true, out: 'actions.md', plugin: ['plugins/broken.mjs'] }, io)).toBe(2);
    expect(existsSync(join(cwd, 'actions.md'))).toBe(false);
    expect(io.err()).toContain('[PLUGIN_INVALID]');
    expect(io.err()).toContain('idflow: no reference written: fix the problems above first.\n');
  });

  it('refuses --out without --markdown, and --markdown with --json, exit 2', async () => {
    const io = captureIo(project());
    expect(await run({ out: 'actions.md' }, io)).toBe(2);
    expect(io.err()).toBe('idflow: error: --out writes the markdown reference: use it with --markdown.\n');
    const both = captureIo(project());
    expect(await run({ markdown: true, json: true }, both)).toBe(2);
    expect(both.err()).toBe('idflow: error: --markdown and --json print the actions in two different forms: give one of them.\n');
  });

  it('an unknown id is an error with did-you-mean, exit 2', async () => {
    const io = captureIo(project());
    expect(await run({ id: 'acme.greeting.sya', markdown: true, plugin: ['plugins/greet.mjs'] }, io)).toBe(2);
    expect(io.out()).toBe('');
    expect(io.err()).toContain('Unknown action "acme.greeting.sya". Did you mean "acme.greeting.say"?');
  });
});
