import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closedPort } from '../actions/core/helpers/smtp-test-server.js';
import { cli, runIdOf, TEMPLATE, workspace, writeConfig } from './support/offboarding.js';

/**
 * Case 7 of issue 10: `resume` ran a pinned `template.yaml` edited after the run started (an
 * injected step ran, and `audit verify` still said intact), and runs of one template shared its
 * pinned copy through a hard link, so one edit reached them all. Now each run has its own copy,
 * and the pinned template and recorded inputs are checked against the hashes recorded at the
 * start (in run.json and in the audit trail's start entry) whenever they are read back.
 */

const INJECTED = [
  '  - id: injected',
  '    action: log',
  '    with: { message: "INJECTED STEP RAN" }',
  '',
  '  - id: notify_manager',
].join('\n');

describe('a run record edited after the run started', () => {
  it('is refused by resume (exit 2, naming the file), reported by audit verify, and reaches no other run', async () => {
    const ws = workspace();
    // An SMTP server nobody listens on (on loopback, so the sandbox sends through it): the run
    // offboards john.smith, then fails at the first email, ready to be resumed.
    const config = writeConfig(ws, `connections:\n  smtp: { url: "smtp://127.0.0.1:${await closedPort()}", from: idflow@company.com }\n`);
    const other = await cli(['run', TEMPLATE, '--sandbox', '--input', 'user_identifier=priya.patel', '--input', 'notify_manager=false', '--json'], ws);
    expect(other.code, other.stderr).toBe(0);
    const failed = await cli(['run', TEMPLATE, '--sandbox', '--config', config, '--input', 'user_identifier=john.smith', '--json'], ws);
    expect(failed.code, failed.stderr).toBe(1);
    const runId = runIdOf(failed);
    const runDir = join(ws.store, 'runs', runId);
    const otherId = /^>> .*  run (\S+)$/m.exec(other.stderr)?.[1] ?? '';
    const otherDir = join(ws.store, 'runs', otherId);

    // Each run has its own copy of the same template: not one file under two names.
    const pinned = join(runDir, 'template.yaml');
    const otherPinned = join(otherDir, 'template.yaml');
    expect(readFileSync(pinned, 'utf8')).toBe(readFileSync(otherPinned, 'utf8'));
    expect(statSync(pinned).nlink).toBe(1);
    expect(statSync(pinned).ino).not.toBe(statSync(otherPinned).ino);

    // The recorded inputs, pointed at someone else: refused, naming inputs.json.
    const inputsFile = join(runDir, 'inputs.json');
    const inputs = readFileSync(inputsFile, 'utf8');
    writeFileSync(inputsFile, inputs.replace('john.smith', 'admin'));
    const withOtherInputs = await cli(['resume', runId, '--config', config], ws);
    expect(withOtherInputs.code, withOtherInputs.stderr).toBe(2);
    expect(withOtherInputs.stderr).toContain(`Run ${runId}: ${inputsFile} changed since the run started`);
    writeFileSync(inputsFile, inputs);

    // A step injected into the pinned template: refused, naming template.yaml; the step never ran.
    const original = readFileSync(pinned, 'utf8');
    const edited = original.replace('  - id: notify_manager', INJECTED);
    expect(edited).not.toBe(original);
    writeFileSync(pinned, edited);
    const resumed = await cli(['resume', runId, '--config', config], ws);
    expect(resumed.code, resumed.stderr).toBe(2);
    expect(resumed.stderr).toContain(`idflow: error: Run ${runId}: ${pinned} changed since the run started`);
    expect(resumed.stderr).not.toContain('INJECTED STEP RAN');
    expect(readFileSync(join(runDir, 'journal.jsonl'), 'utf8')).not.toContain('injected');
    expect(readFileSync(join(runDir, 'log.jsonl'), 'utf8')).not.toContain('INJECTED STEP RAN');
    // The other run's copy is untouched.
    expect(readFileSync(otherPinned, 'utf8')).toBe(original);

    // The audit trail's start entry holds the hashes in its chain: the edit shows there.
    const verified = await cli(['audit', 'verify', runId, '--json'], ws);
    expect(verified.code, verified.stdout).toBe(1);
    const report = JSON.parse(verified.stdout) as { ok: boolean; problems: Array<{ kind: string; message: string }> };
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'pinned', message: expect.stringContaining('template.yaml changed since the run started') })]);
    expect((await cli(['audit', 'verify', otherId], ws)).code).toBe(0);
    // runs show still shows the run (from its journal), and says its record was edited.
    const shown = await cli(['runs', 'show', runId], ws);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`RECORD EDITED  ${pinned} changed since the run started`);
    const shownJson = JSON.parse((await cli(['runs', 'show', runId, '--json'], ws)).stdout) as { recordChanged?: string };
    expect(shownJson.recordChanged).toContain('template.yaml changed since the run started');
    expect((JSON.parse((await cli(['runs', 'show', otherId, '--json'], ws)).stdout) as { recordChanged?: string }).recordChanged).toBeUndefined();

    // Editing run.json to match does not help: the audit trail's hash still refuses it.
    const metaFile = join(runDir, 'run.json');
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as { pinned: { template: string } };
    meta.pinned.template = createHash('sha256').update(edited).digest('hex');
    writeFileSync(metaFile, JSON.stringify(meta, null, 2));
    const again = await cli(['resume', runId, '--config', config], ws);
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toContain(`${pinned} changed since the run started`);

    // Put back as it was, the run resumes (and fails again at the same email, the server still down).
    writeFileSync(pinned, original);
    meta.pinned.template = createHash('sha256').update(original).digest('hex');
    writeFileSync(metaFile, JSON.stringify(meta, null, 2));
    const restored = await cli(['resume', runId, '--config', config], ws);
    expect(restored.stderr).not.toContain('changed since the run started');
    expect(restored.stderr).toContain('Run failed at step notify_manager');
  }, 120_000);
});
