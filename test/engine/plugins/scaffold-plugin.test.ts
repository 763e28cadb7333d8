import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { scaffoldPlugin } from '../../../engine/plugins/scaffold-plugin.js';
import { ActionRegistry } from '../../../engine/registry/action-registry.js';
import { loadPlugins } from '../../../engine/plugins/load-plugins.js';
import { createMockActionContext } from '../../../engine/plugin-api/mock-context.js';
import { buildIdflowPackage, installIdflow, REPO_ROOT } from './support/idflow-package.js';
import { tempDir } from './support/plugin-files.js';

const run = promisify(execFile);

describe('scaffoldPlugin', () => {
  let packageDir: string;
  beforeAll(() => {
    packageDir = buildIdflowPackage();
  });

  for (const typescript of [false, true]) {
    it(`writes a ${typescript ? 'TypeScript' : 'JavaScript'} plugin whose generated test passes with plain node --test, and which idflow loads`, async () => {
      const project = tempDir('idflow-scaffold-');
      installIdflow(project, packageDir);
      const result = await scaffoldPlugin({ name: 'ticket-note', dir: 'plugins', typescript, cwd: project });
      const extension = typescript ? 'ts' : 'mjs';
      expect(result).toMatchObject({
        id: 'custom.ticket-note',
        plugin: join(project, `plugins/ticket-note.${extension}`),
        test: join(project, 'plugins/ticket-note.test.mjs'),
        idflowInstalled: true,
      });
      expect(result.nextSteps).toContain('Run its test: node --test plugins/ticket-note.test.mjs');
      expect(result.nextSteps).toContain(`See it as idflow does: idflow actions custom.ticket-note --plugin plugins/ticket-note.${extension}`);

      // The generated test passes as generated.
      const { stdout } = await run(process.execPath, ['--test', 'plugins/ticket-note.test.mjs'], { cwd: project });
      expect(stdout).toMatch(/# pass 3\n/);
      expect(stdout).toMatch(/# fail 0\n/);

      // And the loader accepts the plugin; its run() does what the test says.
      const registry = new ActionRegistry();
      expect(await loadPlugins(registry, [{ origin: 'cli', spec: `plugins/ticket-note.${extension}`, baseDir: project }])).toEqual([]);
      const ctx = createMockActionContext();
      expect(await registry.get('custom.ticket-note')?.definition.run(ctx, { message: 'hi', level: 'warn' })).toEqual({ changed: false, output: { message: 'hi' }, summary: 'hi' });
      expect(ctx.logs).toEqual([{ level: 'warn', message: 'hi' }]);

      if (typescript) {
        // The generated TypeScript type-checks (strict) against the installed package's types.
        const program = ts.createProgram([result.plugin], { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, types: [] });
        const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        expect(diagnostics).toEqual([]);
      }
    });
  }

  it('uses a namespaced name as the action id', async () => {
    const project = tempDir('idflow-scaffold-');
    const result = await scaffoldPlugin({ name: 'acme.ticket.close', dir: '.', typescript: false, cwd: project });
    expect(result.id).toBe('acme.ticket.close');
    expect(result.plugin).toBe(join(project, 'acme-ticket-close.mjs'));
    expect(readFileSync(result.plugin, 'utf8')).toContain("id: 'acme.ticket.close',");
  });

  it('says to install idflow when the test could not import it', async () => {
    const project = tempDir('idflow-scaffold-');
    const result = await scaffoldPlugin({ name: 'x', dir: 'plugins', typescript: false, cwd: project });
    expect(result.idflowInstalled).toBe(false);
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(result.nextSteps[1]).toBe(
      `The test imports idflow (idflow itself loads the plugin without it): install idflow where the plugin lives first, as you installed it, e.g. npm install --save-dev ./idflow-${version}.tgz (see docs/install.md)`,
    );
  });

  it('never overwrites: when a file exists it writes nothing', async () => {
    const project = tempDir('idflow-scaffold-');
    await scaffoldPlugin({ name: 'ticket-note', dir: '.', typescript: false, cwd: project });
    writeFileSync(join(project, 'ticket-note.mjs'), '// my work\n');
    await expect(scaffoldPlugin({ name: 'ticket-note', dir: '.', typescript: false, cwd: project })).rejects.toThrow(
      `${join(project, 'ticket-note.mjs')} already exists; idflow new never overwrites files (choose another name or --dir)`,
    );
    expect(readFileSync(join(project, 'ticket-note.mjs'), 'utf8')).toBe('// my work\n');

    // Only the test exists: the plugin is not written either.
    const other = tempDir('idflow-scaffold-');
    writeFileSync(join(other, 'greet.test.mjs'), '// mine\n');
    await expect(scaffoldPlugin({ name: 'greet', dir: '.', typescript: true, cwd: other })).rejects.toThrow('greet.test.mjs already exists');
    expect(existsSync(join(other, 'greet.ts'))).toBe(false);
  });

  it.each(['Ticket', '1note', 'acme..x', 'a b', '../escape'])('refuses the name %j', async (name) => {
    await expect(scaffoldPlugin({ name, dir: '.', typescript: false, cwd: tempDir() })).rejects.toThrow(`Plugin name "${name}" is not usable`);
  });
});
