import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { idflow, repoRoot } from '../support/cli.js';

/**
 * `idflow schema` through the built CLI with plain node, as an admin runs it: the shipped
 * editor schema is its output for the built-in actions, and a template validated by idflow
 * (against the language schema in schemas/language/) still loads from the built package.
 */
describe('idflow schema (built CLI)', () => {
  it('prints, outside the repository, exactly the shipped schemas/workflow.schema.json', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'idflow-schema-e2e-'));
    const result = await idflow(['schema'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(readFileSync(join(repoRoot, 'schemas', 'workflow.schema.json'), 'utf8'));
  });

  it('is listed in idflow --help and has its own help', async () => {
    expect((await idflow(['--help'])).stdout).toMatch(/schema\s.*JSON Schema/);
    const help = await idflow(['schema', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--out <file>');
    expect(help.stdout).toContain('yaml-language-server');
  });

  it('leaves idflow validate checking templates as before', async () => {
    const result = await idflow(['validate', 'templates/jumpcloud-offboarding.yaml', 'examples/hello.yaml'], { cwd: repoRoot });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
