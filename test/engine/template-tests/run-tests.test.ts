import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTemplateTests } from '../../../engine/template-tests/run-tests.js';

/**
 * runTemplateTests in process, on a template that only notifies (no JumpCloud step): webhooks and
 * emails read from the sandbox outbox, changes named by step id, vars overriding the config's
 * (which a test never reads), refused runs, and a file-level problem that keeps only its own file
 * from running.
 */

const TEMPLATE = `id: announce
name: Announce
inputs:
  who: { type: string, required: true }
vars:
  channel: { type: string, default: "#general" }
steps:
  - id: chat
    action: notify.webhook
    with:
      connection: chat
      format: json
      payload: { text: "{{inputs.who}} joined", channel: "{{vars.channel}}" }
  - id: mail
    action: notify.email
    with:
      to: ["it@company.com", "hr@company.com"]
      subject: "Welcome {{inputs.who}}"
      text: "{{inputs.who}} joined"
output:
  who: "{{inputs.who}}"
`;

const TESTS = `cases:
  - name: posts and mails once per run
    inputs: { who: Ann }
    vars: { channel: "#it" }
    expect:
      status: succeeded
      output: { who: Ann }
      changes:
        chat: [json webhook outbox]
      webhooks:
        - format: json
          connection: chat
          body: { text: Ann joined, channel: "#it" }
      emails:
        - to: [hr@company.com, it@company.com]
          subject: Welcome Ann
  - name: expects the wrong body and subject
    inputs: { who: Bob }
    expect:
      webhooks:
        - body: { channel: "#random" }
      emails:
        - subject: Welcome Ann
  - name: refuses a missing input
    inputs: {}
    expect:
      status: refused
      error: inputs
`;

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-run-tests-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('runTemplateTests', () => {
  it('checks webhooks, emails, changes by step and vars; names each difference of a failing case', async () => {
    const dir = project({
      'idflow.config.yaml': 'vars: { channel: "#from-config" }\nconnections:\n  smtp: { url: "smtp://mail.example.com:25" }\n',
      'flows/announce.yaml': TEMPLATE,
      'flows/announce.test.yaml': TESTS,
      'flows/broken.test.yaml': 'cases: []\n',
    });
    const report = await runTemplateTests({ cwd: dir, env: {}, plugins: [], paths: ['flows'], concurrency: 2 });
    expect(report.files).toEqual(['flows/announce.test.yaml', 'flows/broken.test.yaml']);
    expect(report.problems).toMatchObject([{ file: 'flows/broken.test.yaml', line: 1, path: '/cases' }]);
    const byName = new Map(report.results.map((r) => [r.name, r]));
    expect(byName.get('posts and mails once per run')).toMatchObject({ passed: true, differences: [] });
    expect(byName.get('refuses a missing input')).toMatchObject({ passed: true, status: 'refused' });
    const wrong = byName.get('expects the wrong body and subject');
    expect(wrong?.passed).toBe(false);
    expect(wrong?.differences).toEqual([
      { path: 'emails[0].subject', expected: 'Welcome Ann', actual: 'Welcome Bob', message: 'expected "Welcome Ann", got "Welcome Bob"' },
      { path: 'webhooks[0].body.channel', expected: '#random', actual: '#general', message: 'expected "#random", got "#general"' },
    ]);
  });

  it('fails a case whose run is refused unexpectedly, with the problem placed in the test file', async () => {
    const dir = project({ 'announce.yaml': TEMPLATE, 'announce.test.yaml': 'cases:\n  - name: wrong type\n    inputs: { who: [1, 2] }\n    expect: { status: succeeded }\n' });
    const report = await runTemplateTests({ cwd: dir, env: {}, plugins: [], paths: ['announce.test.yaml'], concurrency: 1 });
    const [result] = report.results;
    expect(result).toMatchObject({ passed: false, status: 'refused' });
    expect(result?.differences[0]?.path).toBe('status');
    expect(result?.problems[0]).toMatchObject({ file: 'announce.test.yaml', line: 3, path: '/who' });
  });
});
