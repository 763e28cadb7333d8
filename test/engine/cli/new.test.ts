import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { ActionRegistry } from '../../../engine/registry/action-registry.js';
import { loadPlugins } from '../../../engine/plugins/load-plugins.js';
import { buildIdflowPackage, installIdflow } from '../plugins/support/idflow-package.js';
import { tempDir } from '../plugins/support/plugin-files.js';

const execute = promisify(execFile);

/**
 * These tests run the built `idflow` command (`node dist/engine/cli/main.js`, as npm's bin
 * would), in a project where idflow is installed, so that what the scaffold writes is checked
 * the way an admin would meet it: through the real CLI, plain `node --test`, and the loader.
 */
describe('idflow new plugin (the built CLI)', () => {
  let packageDir: string;
  let idflowBin: string;
  beforeAll(() => {
    packageDir = buildIdflowPackage({ cli: true });
    idflowBin = join(packageDir, 'dist/engine/cli/main.js');
  });

  async function idflow(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await execute(process.execPath, [idflowBin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  function newProject(): string {
    const project = tempDir('idflow-new-');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'acme-automation', private: true }));
    installIdflow(project, packageDir);
    return project;
  }

  for (const typescript of [false, true]) {
    const extension = typescript ? 'ts' : 'mjs';
    it(`${typescript ? '--typescript: ' : ''}writes a plugin and its test, which pass as generated, and prints the next steps`, async () => {
      const project = newProject();
      const created = await idflow(['new', 'plugin', 'ticket-note', ...(typescript ? ['--typescript'] : [])], project);
      expect(created).toMatchObject({ code: 0, stderr: '' });
      expect(created.stdout).toBe(
        [
          `Created plugins/ticket-note.${extension} (action custom.ticket-note)`,
          'Created plugins/ticket-note.test.mjs',
          '',
          'Next steps:',
          `  - Edit plugins/ticket-note.${extension}: its parameters (a JSON Schema), plan() and run().`,
          '  - Run its test: node --test plugins/ticket-note.test.mjs',
          `  - See it as idflow does: idflow actions custom.ticket-note --plugin plugins/ticket-note.${extension}`,
          `  - Use it: idflow run TEMPLATE --plugin plugins/ticket-note.${extension}, or list it in a template (the path is relative to the template file; for a template in this folder):`,
          '',
          '    plugins:',
          `      - plugins/ticket-note.${extension}`,
          '    steps:',
          '      - id: ticket_note',
          '        action: custom.ticket-note',
          '        with:',
          '          message: "Offboarding {{inputs.user_identifier}}"',
          '',
        ].join('\n'),
      );

      // The generated test passes with plain node --test.
      const tested = await execute(process.execPath, ['--test', 'plugins/ticket-note.test.mjs'], { cwd: project });
      expect(tested.stdout).toMatch(/# pass 3\n[\s\S]*# fail 0\n/);

      // idflow sees the plugin: through the CLI, and through the loader.
      const shown = await idflow(['actions', 'custom.ticket-note', '--plugin', `plugins/ticket-note.${extension}`], project);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain(`custom.ticket-note — Write a message to the run log\n\nSource:   plugins/ticket-note.${extension}\n`);
      const registry = new ActionRegistry();
      expect(await loadPlugins(registry, [{ origin: 'cli', spec: `./plugins/ticket-note.${extension}`, baseDir: project }])).toEqual([]);
      expect(registry.get('custom.ticket-note')?.definition.description).toBe('Write a message to the run log');
    });
  }

  it('writes into --dir, and never overwrites: a second run exits 2 and leaves the files alone', async () => {
    const project = newProject();
    expect((await idflow(['new', 'plugin', 'acme.ticket.close', '--dir', 'src/actions'], project)).code).toBe(0);
    const plugin = join(project, 'src/actions/acme-ticket-close.mjs');
    expect(readFileSync(plugin, 'utf8')).toContain("id: 'acme.ticket.close',");
    writeFileSync(plugin, '// edited\n');
    const again = await idflow(['new', 'plugin', 'acme.ticket.close', '--dir', 'src/actions'], project);
    expect(again).toMatchObject({ code: 2, stdout: '' });
    expect(again.stderr).toBe(`idflow: error: ${plugin} already exists; idflow new never overwrites files (choose another name or --dir)\n`);
    expect(readFileSync(plugin, 'utf8')).toBe('// edited\n');
  });

  it('an unusable name exits 2 and says what a name may be', async () => {
    const result = await idflow(['new', 'plugin', 'Ticket Note'], newProject());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('idflow: error: Plugin name "Ticket Note" is not usable: write lower-case letters');
  });

  it('idflow actions lists the built-in actions through the built CLI, and an unknown id exits 2 with did-you-mean', async () => {
    const project = newProject();
    const listed = await idflow(['actions', '--json'], project);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { actions: Array<{ id: string }> }).actions.map((a) => a.id)).toContain('log');
    const unknown = await idflow(['actions', 'lgo'], project);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toBe('idflow: error: Unknown action "lgo". Did you mean "log"? Run idflow actions to list them all.\n');
  });
});
