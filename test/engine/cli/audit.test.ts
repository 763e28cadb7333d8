import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStore } from '../../../engine/store/run-store.js';
import type { RunHandle } from '../../../engine/store/run-handle.js';
import { recordFailedRun } from '../store/run-fixture.js';

const execute = promisify(execFile);
/** The CLI as built by the global setup, run with plain node as npm's bin would. */
const IDFLOW = resolve(import.meta.dirname, '../../../dist/engine/cli/main.js');

async function idflow(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
  delete env['IDFLOW_HOME'];
  try {
    const { stdout, stderr } = await execute(process.execPath, [IDFLOW, ...args], { cwd, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('idflow audit (the built CLI)', () => {
  let dir: string;
  let run: RunHandle;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'idflow-audit-cli-'));
    // The default store: .idflow in the working directory.
    run = recordFailedRun(new RunStore(join(dir, '.idflow')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('verify: exit 0 for an intact trail', async () => {
    const result = await idflow(['audit', 'verify', run.id], dir);
    expect(result).toEqual({ code: 0, stderr: '', stdout: `Audit trail of run ${run.id} is intact: 3 entries, chain and head verified.\n` });
  });

  it('verify: exit 1 for a tampered trail, listing each problem with its line', async () => {
    const file = join(run.dir, 'audit.jsonl');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(file, `${[lines[0]?.replace('G0', 'G9'), lines[1]].join('\n')}\n`);
    const result = await idflow(['audit', 'verify', run.id.slice(0, 17)], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        `Audit trail of run ${run.id} is BROKEN: 2 problems in 2 entries.`,
        '  - line 1 (seq 1): the entry does not match its hash: it was changed after it was written',
        '  - the trail ends at seq 2 but the head records seq 3: entry seq 3 at the end was deleted',
        '',
      ].join('\n'),
    );
    const json = await idflow(['audit', 'verify', run.id, '--json'], dir);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ runId: run.id, ok: false, entries: 2, problems: [{ line: 1, seq: 1, kind: 'edited' }, { line: 3, seq: 3, kind: 'missing' }] });
  });

  it('show: prints every entry, or the entries as written with --json', async () => {
    const text = await idflow(['audit', 'show', run.id], dir);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe(`Audit trail of run ${run.id}: 3 entries`);
    expect(lines[1]).toBe('  initiated by alice, reason: left the company');
    expect(lines[2]).toMatch(/^ {2}#1 {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}changed {4}remove group "G0" {2}\[remove_groups\[0\] · jumpcloud\.user\.groups\.remove\]$/);
    expect(lines[3]).toBe('        member: true → false');
    expect(lines).toContain('        HTTP 403 forbidden');
    const json = await idflow(['audit', 'show', run.id, '--json'], dir);
    expect(JSON.parse(json.stdout)).toEqual(run.audit.entries());
  });

  it('exit 2 for an unknown run', async () => {
    const result = await idflow(['audit', 'verify', 'nope'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No run with id "nope" in the store');
  });
});
