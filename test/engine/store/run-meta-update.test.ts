import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunMeta } from '../../../engine/store/journal-events.js';
import { RunStore, type NewRun } from '../../../engine/store/run-store.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'idflow-meta-update-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const run: NewRun = {
  workflow: { id: 'offboard', name: 'Offboard a user' },
  templatePath: '/templates/offboard.yaml',
  templateText: 'id: offboard\n',
  templateHash: 'a'.repeat(64),
  inputs: {},
  initiatedBy: 'alice',
  trigger: { type: 'manual' },
  sandbox: false,
};

const record = (dir: string): RunMeta => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunMeta;

describe('RunHandle.updateMeta', () => {
  it('merges into the record as it is on disk when another handle replaced it since', () => {
    const store = new RunStore(root);
    const handle = store.createRun(run);
    store.openRun(handle.id).updateMeta({ childRunIds: ['child-1'] });
    handle.updateMeta({ status: 'succeeded' });
    expect(record(handle.dir)).toMatchObject({ status: 'succeeded', childRunIds: ['child-1'] });
    handle.close();
  });

  it('merges into a record edited in place since it was written', () => {
    const store = new RunStore(root);
    const handle = store.createRun(run);
    const edited = { ...record(handle.dir), reason: 'edited by hand' };
    writeFileSync(join(handle.dir, 'run.json'), `${JSON.stringify(edited, null, 2)}\n`);
    handle.updateMeta({ status: 'failed' });
    expect(record(handle.dir)).toMatchObject({ status: 'failed', reason: 'edited by hand' });
    handle.close();
  });

  it('writes the same record whether or not it reads the file back', () => {
    const store = new RunStore(root);
    const handle = store.createRun(run);
    handle.updateMeta({ status: 'succeeded', durationMs: 5 });
    const viaHandle = readFileSync(join(handle.dir, 'run.json'), 'utf8');
    store.openRun(handle.id).updateMeta({ status: 'succeeded', durationMs: 5 });
    expect(readFileSync(join(handle.dir, 'run.json'), 'utf8')).toBe(viaHandle);
    handle.close();
  });
});
