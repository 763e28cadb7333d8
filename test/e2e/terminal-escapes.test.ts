import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { cli, workspace } from './support/offboarding.js';

/**
 * Case 8 of issue 10 (the terminal part): escape sequences in a subject (from an event or a CSV
 * row) reached the terminal raw in `idflow runs`, so a crafted name could clear the screen or
 * fake "Run succeeded". Every text view now shows control characters escaped, visibly.
 */

/** Clears the screen, then writes a fake success line over the current one. */
const HOSTILE = '\u001b[2J\r+ Run succeeded\u009b31m';
/** How the views must show it. */
const SHOWN = '\\x1b[2J\\r+ Run succeeded\\x9b31m';

const TEMPLATE = [
  'id: greet-hostile',
  'name: Greet someone',
  'subject: "{{inputs.name}}"',
  'inputs:',
  '  name: { type: string, required: true }',
  'steps:',
  '  - id: greet',
  '    action: log',
  '    with:',
  '      message: "Hello {{inputs.name}}"',
  '',
].join('\n');

/** Fails when `text` holds a character a terminal would act on (a newline is layout). */
function expectNoRawControls(text: string, where: string): void {
  // eslint-disable-next-line no-control-regex
  expect(text.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g) ?? [], where).toEqual([]);
}

describe('a subject with escape sequences', () => {
  it('is shown escaped by the progress view, runs, runs show, audit show, error lines and timers list', async () => {
    const ws = workspace();
    const template = join(ws.dir, 'greet.yaml');
    writeFileSync(template, TEMPLATE);

    const run = await cli(['run', template, '--input', `name=${HOSTILE}`], ws);
    expect(run.code, run.stderr).toBe(0);
    expectNoRawControls(run.stderr, 'the progress view');
    expect(run.stderr).toContain(`Hello ${SHOWN}`);
    const runId = /idflow runs show (\S+)/.exec(run.stderr)?.[1] ?? '';

    const list = await cli(['runs'], ws);
    expect(list.code, list.stderr).toBe(0);
    expectNoRawControls(list.stdout, 'idflow runs');
    expect(list.stdout).toContain(SHOWN);

    const shown = await cli(['runs', 'show', runId], ws);
    expect(shown.code, shown.stderr).toBe(0);
    expectNoRawControls(shown.stdout, 'idflow runs show');
    expect(shown.stdout).toContain(`Subject       ${SHOWN}`);
    expect(shown.stdout).toContain(`Hello ${SHOWN}`);

    const audit = await cli(['audit', 'show', runId], ws);
    expect(audit.code, audit.stderr).toBe(0);
    expectNoRawControls(audit.stdout, 'idflow audit show');
    expect(audit.stdout).toContain(`subject ${SHOWN}`);

    // JSON output stays JSON: the value is there exactly, escaped by JSON itself.
    const json = await cli(['runs', '--json'], ws);
    expect((JSON.parse(json.stdout) as Array<{ subject: string }>)[0]?.subject).toBe(HOSTILE);

    // An error line quoting a value from outside.
    const unknown = await cli(['runs', 'show', `x${HOSTILE}`], ws);
    expect(unknown.code).toBe(2);
    expectNoRawControls(unknown.stderr, 'the error line');
    expect(unknown.stderr).toContain(SHOWN);

    // A timer scheduled with a crafted description (what a plugin's action can pass on).
    const timerStore = JSON.stringify(pathToFileURL(join(repoRoot, 'dist', 'engine', 'timers', 'timer-store.js')).href);
    const script = `const { TimerStore } = await import(${timerStore}); new TimerStore(process.argv[1]).schedule({ key: 'k', action: 'log', params: {}, description: process.argv[2], dueAt: new Date(Date.now() + 3600000).toISOString(), scheduledBy: { runId: 'r', workflowId: 'w' } });`;
    await new Promise<void>((resolveDone, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script, ws.store, `delete ${HOSTILE}`], (error) => (error === null ? resolveDone() : reject(error)));
    });
    const timers = await cli(['timers', 'list'], ws);
    expect(timers.code, timers.stderr).toBe(0);
    expectNoRawControls(timers.stdout, 'idflow timers list');
    expect(timers.stdout).toContain(`delete ${SHOWN}`);
  });
});
