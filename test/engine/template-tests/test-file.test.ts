import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { amendmentOf, loadTestFile } from '../../../engine/template-tests/test-file.js';
import { targetName } from '../../../engine/template-tests/check-expectations.js';
import { emailHeaders } from '../../../engine/template-tests/outbox-messages.js';
import { repoRoot } from '../../support/cli.js';

function write(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-test-file-'));
  writeFileSync(join(dir, name), text);
  return dir;
}

describe('loadTestFile', () => {
  it('reads the shipped offboarding tests, its template beside it', async () => {
    const loaded = await loadTestFile('templates/jumpcloud-offboarding.test.yaml', repoRoot);
    expect(loaded.problems).toEqual([]);
    expect(loaded.test?.template).toBe(join(repoRoot, 'templates', 'jumpcloud-offboarding.yaml'));
    expect(loaded.test?.cases.length).toBeGreaterThanOrEqual(5);
    expect(loaded.test?.cases.find((c) => c.event?.payload_file !== undefined)?.event?.payload_file).toBe(join(repoRoot, 'examples', 'offboarding', 'hr-employee-terminated.json'));
  });

  it('takes the template from the file name when template: is not given, and resolves the org file beside the test', async () => {
    const dir = write('leaver.test.yaml', 'sandbox: { file: org.json }\ncases:\n  - name: runs\n    inputs: {}\n    expect: { status: succeeded }\n');
    const loaded = await loadTestFile('leaver.test.yaml', dir);
    expect(loaded.problems).toEqual([]);
    expect(loaded.test?.template).toBe(join(dir, 'leaver.yaml'));
    expect(loaded.test?.sandbox?.file).toBe(join(dir, 'org.json'));
  });

  it('reports misspelt keys at their line and column with a suggestion, and every problem at once', async () => {
    const dir = write('x.test.yaml', 'cases:\n  - name: one\n    inptus: { a: 1 }\n    expect: { stauts: succeeded, idempotent: yes }\n  - name: one\n    expect: {}\n');
    const { problems, test } = await loadTestFile('x.test.yaml', dir);
    expect(test).toBeUndefined();
    expect(problems.map((p) => [p.line, p.column, p.code, p.suggestion])).toEqual([
      [3, 5, 'unknown-key', 'Did you mean "inputs"?'],
      [4, 15, 'unknown-key', expect.stringContaining('"status"')],
      [4, 46, expect.any(String), undefined],
      [5, 11, 'duplicate-case', undefined],
    ]);
    expect(problems.every((p) => p.file === 'x.test.yaml' && p.severity === 'error')).toBe(true);
  });

  it('refuses a case with both inputs and an event, and a file without cases', async () => {
    const both = await loadTestFile('b.test.yaml', write('b.test.yaml', 'cases:\n  - name: both\n    inputs: {}\n    event: { name: x }\n    expect: {}\n'));
    expect(both.problems).toHaveLength(1);
    expect(both.problems[0]).toMatchObject({ line: 2, path: '/cases/0' });
    const none = await loadTestFile('n.test.yaml', write('n.test.yaml', 'template: n.yaml\n'));
    expect(none.problems[0]?.message).toContain('cases');
  });

  it('reports a file that does not exist without a position', async () => {
    const loaded = await loadTestFile('missing.test.yaml', tmpdir());
    expect(loaded.read).toBe(false);
    expect(loaded.problems).toMatchObject([{ code: 'file-not-found', line: 0 }]);
  });
});

describe('amendmentOf', () => {
  it('puts a case\'s changes after the file\'s, and is undefined when there are none', () => {
    expect(amendmentOf(undefined, {})).toBeUndefined();
    expect(amendmentOf({ changes: { users: [{ username: 'a' }], vars: { x: 1 } }, remove: { users: ['b'] } }, { changes: { users: [{ username: 'c' }], vars: { y: 2 } }, remove: { users: ['d'] } })).toEqual({
      changes: { users: [{ username: 'a' }, { username: 'c' }], vars: { x: 1, y: 2 } },
      remove: { users: ['b', 'd'] },
    });
  });
});

describe('targetName', () => {
  it('drops the id actions add in brackets, and the quotes around the name', () => {
    expect(targetName('user group "Engineering" (6fa1dde312271d0a2ef757c4)')).toBe('user group Engineering');
    expect(targetName('user group Engineering')).toBe('user group Engineering');
    expect(targetName('email to jane.doe@company.com')).toBe('email to jane.doe@company.com');
  });

  it('drops every id of a target that names two objects', () => {
    expect(targetName('system "PPATEL-MBP" (527e3925466382b786f7a53b) in system group "Quarantine" (6fa1dde312271d0a2ef757c4)')).toBe('system PPATEL-MBP in system group Quarantine');
  });
});

describe('emailHeaders', () => {
  it('reads the recipients and the subject, folded and encoded as nodemailer writes them', () => {
    const raw = 'From: idflow <idflow@localhost>\r\nTo: Jane Doe <jane.doe@company.com>,\r\n bob@company.com\r\nCc: it@company.com\r\nSubject: =?UTF-8?Q?Ren=C3=A9e_has_been?=\r\n =?UTF-8?Q?_offboarded?=\r\n\r\nbody: not a header\r\n';
    expect(emailHeaders(raw)).toEqual({ to: ['jane.doe@company.com', 'bob@company.com'], cc: ['it@company.com'], subject: 'Renée has been offboarded' });
  });
});
