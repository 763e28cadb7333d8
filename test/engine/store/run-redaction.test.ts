import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditTrail } from '../../../engine/audit/verify-audit-trail.js';
import { Redactor } from '../../../engine/logging/redactor.js';
import { createRunLogger } from '../../../engine/logging/run-logger.js';
import { RunStore } from '../../../engine/store/run-store.js';
import { sampleNewRun } from './run-fixture.js';

/** A secret with characters that JSON and URLs escape. */
const SECRET = 'pa"ss\\wo/rd&k=v+1 %ZZ';
const FORMS = {
  plain: SECRET,
  json: JSON.stringify(SECRET).slice(1, -1),
  jsonTwice: JSON.stringify(JSON.stringify(SECRET).slice(1, -1)).slice(1, -1),
  uri: encodeURIComponent(SECRET),
  form: new URLSearchParams({ v: SECRET }).toString().slice(2),
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'idflow-redaction-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('redaction in everything a run writes', () => {
  it('leaves no form of a secret in any file of the run folder, nor on the console', async () => {
    const redactor = new Redactor();
    redactor.add(SECRET);
    const store = new RunStore(root, { redactor });
    const run = store.createRun(
      sampleNewRun({
        inputs: { api_key: SECRET, callback: `https://hooks.test/in?token=${FORMS.uri}`, body: JSON.stringify({ password: SECRET }), form: `password=${FORMS.form}` },
        reason: `rotating ${SECRET}`,
      }),
    );
    const consoleOut = new PassThrough();
    let consoleText = '';
    consoleOut.on('data', (chunk: Buffer) => (consoleText += chunk.toString()));
    const logger = createRunLogger({ runId: run.id, workflowId: 'offboard', logFile: run.logFile, redactor, console: { stream: consoleOut, mode: 'plain' } });

    const at = new Date().toISOString();
    run.append({ type: 'run.started', at, runId: run.id, workflowId: 'offboard', session: 1, pid: process.pid });
    run.append({ type: 'step.change', at, step: 'rotate', change: { target: `key ${SECRET}`, operation: 'rotate', before: { key: SECRET }, after: { url: `https://x.test/${FORMS.uri}` } } });
    run.append({ type: 'step.attempt_failed', at, step: 'rotate', attempt: 1, retryInMs: 10, error: { name: 'TransientError', code: 'TRANSIENT', message: `401 for ${SECRET}`, retryable: true, details: { body: JSON.stringify({ token: SECRET }) } } });
    run.append({ type: 'step.finished', at, step: 'rotate', phase: 'steps', status: 'succeeded', changed: true, attempts: 2, durationMs: 5, output: { echoed: SECRET, nested: [{ deeper: `Bearer ${SECRET}` }] }, summary: `rotated ${SECRET}` });
    run.audit.append({ step: 'rotate', action: 'acme.key.rotate', operation: 'rotate', target: `key ${SECRET}`, before: SECRET, after: FORMS.uri, result: 'changed', note: FORMS.json });
    run.updateMeta({ status: 'failed', error: `failed with ${SECRET}`, failedStep: 'rotate' });
    run.writeOutput({ secret: SECRET, url: `https://x.test/?k=${FORMS.uri}` });
    logger.logger.info(`calling https://api.test/?key=${FORMS.uri}`, { event: 'step.started', step: 'rotate', name: `Rotate ${SECRET}` });
    logger.child({ step: 'rotate' }).warn('response', { body: JSON.stringify({ echoed: SECRET }), headers: { authorization: `Basic ${SECRET}` } });
    logger.logger.error(new Error(`boom ${SECRET}`));
    logger.logger.info('done', { event: 'step.finished', step: 'rotate', status: 'succeeded', changed: true, summary: `rotated ${SECRET}` });
    await logger.close();

    const files = filesUnder(run.dir).map((path) => path.slice(run.dir.length + 1)).sort();
    expect(files).toEqual(['audit.head.json', 'audit.jsonl', 'inputs.json', 'journal.jsonl', 'log.jsonl', 'output.json', 'run.json', 'template.yaml']);
    for (const path of filesUnder(root)) {
      const text = readFileSync(path, 'utf8');
      for (const [form, value] of Object.entries(FORMS)) expect(text.includes(value), `${form} form of the secret in ${path}`).toBe(false);
    }
    for (const [form, value] of Object.entries(FORMS)) expect(consoleText.includes(value), `${form} form of the secret on the console`).toBe(false);

    // Everything was written, just redacted, and still reads back.
    for (const name of ['inputs.json', 'journal.jsonl', 'log.jsonl', 'output.json', 'run.json', 'audit.jsonl']) expect(readFileSync(join(run.dir, name), 'utf8')).toContain('[REDACTED]');
    expect(consoleText).toContain('[REDACTED]');
    expect(run.inputs()['api_key']).toBe('[REDACTED]');
    expect(run.events()).toHaveLength(4);
    expect(run.meta().reason).toBe('rotating [REDACTED]');
    expect(readFileSync(join(run.dir, 'log.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown)).toHaveLength(4);
    expect(verifyAuditTrail(run.dir).ok).toBe(true);
  });
});
