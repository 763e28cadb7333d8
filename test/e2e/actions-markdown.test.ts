import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { idflow, repoRoot } from '../support/cli.js';

/**
 * `idflow actions --markdown` through the built CLI with plain node, as an admin runs it in a
 * project of their own: the shipped docs/actions.md is its output for the built-in actions, and
 * a plugin's actions join the reference.
 */
describe('idflow actions --markdown (built CLI)', () => {
  it('writes, outside the repository, exactly the shipped docs/actions.md', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'idflow-reference-e2e-'));
    const result = await idflow(['actions', '--markdown', '--out', 'docs/actions.md'], { cwd });
    expect(result.stderr).toMatch(/^Wrote the reference of \d+ actions to docs\/actions\.md\n$/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(readFileSync(join(cwd, 'docs', 'actions.md'), 'utf8')).toBe(readFileSync(join(repoRoot, 'docs', 'actions.md'), 'utf8'));
  });

  it('includes the actions of a --plugin after the built-in ones', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'idflow-reference-e2e-'));
    writeFileSync(join(cwd, 'note.mjs'), readFileSync(join(repoRoot, 'examples', 'plugins', 'psa-ticket-note.mjs'), 'utf8'));
    const result = await idflow(['actions', '--markdown', '--plugin', 'note.mjs'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\n## Actions from note.mjs\n');
    expect(result.stdout).toContain('\n### `example.psa.ticket_note`\n');
    expect(result.stdout.indexOf('## Actions from note.mjs')).toBeGreaterThan(result.stdout.indexOf('### `log`'));
  });

  it('is described in idflow actions --help', async () => {
    const help = await idflow(['actions', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--markdown');
    expect(help.stdout).toContain('--out <file>');
  });
});
