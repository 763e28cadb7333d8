import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { idflow, repoRoot } from '../support/cli.js';

/**
 * `idflow test` and `idflow new template` through the built CLI: the shipped templates' tests
 * pass (this is how `npm test` runs them), a wrong expectation fails with a diff naming it, a
 * bad test file exits 2 with its position, and a generated template passes its generated test.
 */

/** No JumpCloud settings from the developer's shell: a test never needs them, and must not see them. */
const env = { JUMPCLOUD_API_KEY: undefined, JUMPCLOUD_API_URL: undefined, JUMPCLOUD_ORG_ID: undefined, NO_COLOR: '1' };

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'idflow-template-tests-'));
}

describe('idflow test', () => {
  it('passes every shipped template\'s tests, one line per case, against the sandbox only', async () => {
    const result = await idflow(['test', 'templates/'], { cwd: repoRoot, env });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stderr).toContain('sandbox only');
    const lines = result.stdout.split('\n').filter((line) => line.startsWith('✓') || line.startsWith('✗'));
    expect(lines.length).toBeGreaterThanOrEqual(8);
    expect(lines.every((line) => line.startsWith('✓ templates/'))).toBe(true);
    expect(result.stdout).toMatch(/\n\d+ passed \(\d+ cases in \d+ files?, [\d.]+ s\)\n$/);
  });

  it('finds a test file beside every shipped template', () => {
    const names = readdirSync(join(repoRoot, 'templates'));
    const templates = names.filter((name) => name.endsWith('.yaml') && !name.endsWith('.test.yaml'));
    expect(templates.length).toBeGreaterThan(0);
    for (const template of templates) expect(names, template).toContain(template.replace(/\.yaml$/, '.test.yaml'));
  });

  it('fails a case whose expectation is wrong, naming each difference with what was expected and what there was', async () => {
    const dir = folder();
    const template = relative(dir, join(repoRoot, 'templates', 'jumpcloud-offboarding.yaml'));
    writeFileSync(join(dir, 'wrong.test.yaml'), [
      `template: ${template}`,
      'cases:',
      '  - name: expects the wrong things of john.smith',
      '    inputs: { user_identifier: john.smith }',
      '    expect:',
      '      status: succeeded',
      '      output: { actions_taken: { groups_removed: 4 } }',
      '      changes:',
      '        jumpcloud.user.groups.remove_all: [user group Engineering, user group Design]',
      '      emails:',
      '        - to: [jane.doe@company.com]',
      '          subject: John Smith has left',
      '        - to: [it-team@company.com]',
      '      state:',
      '        user john.smith: { state: ACTIVATED }',
      '',
    ].join('\n'));
    const result = await idflow(['test', 'wrong.test.yaml'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain('✗ wrong.test.yaml › expects the wrong things of john.smith');
    expect(result.stdout).toContain('output.actions_taken.groups_removed: expected 4, got 5');
    expect(result.stdout).toMatch(/changes\["jumpcloud\.user\.groups\.remove_all"\]: missing "user group Design"; unexpected "user group Backend Developers", .*"user group VPN Users"/);
    expect(result.stdout).toContain('emails[0].subject: expected "John Smith has left", got "John Smith has been offboarded from JumpCloud"');
    expect(result.stdout).toContain('state["user john.smith"].state: expected "ACTIVATED", got "SUSPENDED"');
    expect(result.stdout).toContain('0 passed, 1 failed (1 case in 1 file');
    // A test's store is temporary: nothing is left in the working folder.
    expect(existsSync(join(dir, '.idflow'))).toBe(false);

    const json = await idflow(['test', 'wrong.test.yaml', '--json'], { cwd: dir, env });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { passed: number; failed: number; cases: Array<{ passed: boolean; status: string; differences: Array<{ path: string; expected?: unknown; actual?: unknown }> }>; problems: unknown[] };
    expect(report).toMatchObject({ passed: 0, failed: 1, problems: [] });
    expect(report.cases[0]).toMatchObject({ passed: false, status: 'succeeded' });
    expect(report.cases[0]?.differences.map((d) => d.path)).toEqual(['output.actions_taken.groups_removed', 'changes["jumpcloud.user.groups.remove_all"]', 'emails[0].subject', 'state["user john.smith"].state']);
    expect(report.cases[0]?.differences[0]).toMatchObject({ expected: 4, actual: 5 });
  });

  it('exits 2 for a test file with problems, each at its line and column, and for a template under test that is not there', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'bad.test.yaml'), 'template: nowhere.yaml\ncases:\n  - name: misspelt\n    inputs: {}\n    expect: { stauts: succeeded }\n');
    const bad = await idflow(['test', 'bad.test.yaml'], { cwd: dir, env });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('bad.test.yaml:5:15: error: unknown key "stauts"');
    expect(bad.stdout).toContain('Did you mean "status"');
    writeFileSync(join(dir, 'bad.test.yaml'), 'template: nowhere.yaml\ncases:\n  - name: fine\n    inputs: {}\n    expect: { status: succeeded }\n');
    const missing = await idflow(['test', 'bad.test.yaml', '--json'], { cwd: dir, env });
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({ cases: [], problems: [{ file: 'bad.test.yaml', line: 1, column: 11, code: 'template-not-found' }] });
    const validate = await idflow(['validate', 'bad.test.yaml'], { cwd: dir, env });
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain('bad.test.yaml:1:11: error: the template under test, nowhere.yaml, does not exist');
    expect((await idflow(['test', 'no-such-folder'], { cwd: dir, env })).code).toBe(2);
    const filtered = await idflow(['test', join(repoRoot, 'templates'), '--filter', 'no case is named so'], { cwd: dir, env });
    expect(filtered.code).toBe(2);
    expect(filtered.stdout).toContain('no case name contains "no case is named so"');
  });
});

describe('idflow new template', () => {
  it('writes a template and its test that pass as generated, and never overwrites them', async () => {
    const dir = folder();
    const created = await idflow(['new', 'template', 'add-to-groups'], { cwd: dir, env });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Created templates/add-to-groups.yaml');
    const result = await idflow(['test', 'templates'], { cwd: dir, env });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain('3 passed (3 cases in 1 file');
    expect((await idflow(['validate', 'templates/add-to-groups.yaml', 'templates/add-to-groups.test.yaml'], { cwd: dir, env })).code).toBe(0);
    const again = await idflow(['new', 'template', 'add-to-groups'], { cwd: dir, env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });

  it('copies a shipped template with its test, renamed, its paths pointing where they did', async () => {
    const dir = folder();
    const created = await idflow(['new', 'template', 'contractor-offboarding', '--from', 'jumpcloud-offboarding', '--dir', 'flows'], { cwd: dir, env });
    expect(created.code, created.stderr).toBe(0);
    // The event case reads its payload from examples/: a path the copy must rebase.
    const result = await idflow(['test', 'flows', '--filter', 'HR termination event'], { cwd: dir, env });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain('✓ flows/contractor-offboarding.test.yaml › an HR termination event offboards the employee it names');
    const validate = await idflow(['validate', 'flows/contractor-offboarding.yaml'], { cwd: dir, env });
    expect(validate.code).toBe(0);
    expect((await idflow(['new', 'template', 'x', '--from', 'no-such-template'], { cwd: dir, env })).stderr).toMatch(/idflow ships [a-z, -]*\bjumpcloud-offboarding\b/);
  });
});
