import { describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeDeep } from '../../../engine/logging/terminal-text.js';
import { renderProgressLine } from '../../../engine/logging/progress-view.js';
import { createServeLogger } from '../../../engine/serve/serve-logger.js';
import { Redactor } from '../../../engine/logging/redactor.js';
import { formatWorkflowsTable } from '../../../engine/cli/commands/workflows-handler.js';
import { renderPlan } from '../../../engine/cli/format/plan-view.js';
import type { PlanResult } from '../../../engine/runner/plan-run.js';

/** Clears the screen, then a fake success line over the current one; a one-byte CSI; a right-to-left override. */
const HOSTILE = '\u001b[2J\r+ Run succeeded\u009b31m\u202etxt.exe';
const SHOWN = '\\x1b[2J\\r+ Run succeeded\\x9b31m\\u202etxt.exe';

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  it('shows every control character as a visible escape, not dropped', () => {
    expect(terminalSafe(HOSTILE)).toBe(SHOWN);
    expect(terminalSafe('a\u0000b\u0007c\u007fd\u0085e\u2066f')).toBe('a\\x00b\\x07c\\x7fd\\x85e\\u2066f');
    expect(terminalSafe('tab\there')).toBe('tab\\there');
  });

  it('escapes a newline in a value, keeps it where the layout needs it', () => {
    expect(terminalSafe('john\n+ Run succeeded')).toBe('john\\n+ Run succeeded');
    expect(terminalSafe('line one\nline \u001b[2Jtwo', { keepNewlines: true })).toBe('line one\nline \\x1b[2Jtwo');
  });

  it('leaves ordinary text, Unicode and backslashes as they are, and is idempotent', () => {
    for (const text of ['John Smith <john.smith@company.com>', 'Zoë Ørsted – 日本語 ✔', 'C:\\path\\x1b', '']) expect(terminalSafe(text)).toBe(text);
    expect(terminalSafe(terminalSafe(HOSTILE))).toBe(SHOWN);
  });

  it('terminalSafeDeep escapes the strings of plain data, not its keys or other values', () => {
    expect(terminalSafeDeep({ subject: HOSTILE, list: [HOSTILE, 3, null], nested: { ok: true } })).toEqual({ subject: SHOWN, list: [SHOWN, 3, null], nested: { ok: true } });
  });
});

describe('the views that reach a terminal', () => {
  it('the progress view escapes names, summaries, messages and errors, keeping its own colours', () => {
    const lines = [
      renderProgressLine({ level: 'info', message: '', event: 'run.started', name: HOSTILE, runId: 'r1' }, 'pretty'),
      renderProgressLine({ level: 'info', message: '', event: 'step.finished', step: 'greet', status: 'succeeded', changed: true, summary: HOSTILE }, 'plain'),
      renderProgressLine({ level: 'info', message: '', event: 'step.finished', step: 'greet', status: 'failed', error: { message: HOSTILE } }, 'plain'),
      renderProgressLine({ level: 'info', message: `Hello ${HOSTILE}` }, 'plain', HOSTILE),
    ];
    expect(lines[0]).toBe(`\u001b[1m▶ ${SHOWN}\u001b[0m  \u001b[90mrun r1\u001b[0m`);
    expect(lines[1]).toBe(`  + greet  changed · ${SHOWN}`);
    expect(lines[2]).toBe(`  x greet  failed: ${SHOWN}`);
    expect(lines[3]).toBe(`[${SHOWN}]   Hello ${SHOWN}`);
  });

  it('serve\'s log lines stay one line each, escaped', () => {
    const written: string[] = [];
    const logger = createServeLogger({ write: (text: string) => written.push(text) }, new Redactor(), () => new Date('2026-12-07T00:00:00Z'));
    logger.child('webhook').info(`event accepted for ${HOSTILE}\n2026-12-07T00:00:01.000Z info  run succeeded`, { subject: HOSTILE });
    expect(written).toHaveLength(1);
    expect(written[0]).toBe(`2026-12-07T00:00:00.000Z info  [webhook] event accepted for ${SHOWN}\\n2026-12-07T00:00:01.000Z info  run succeeded {"subject":"\\u001b[2J\\r+ Run succeeded\\x9b31m\\u202etxt.exe"}\n`);
    expect(RAW_CONTROL.test(written[0]?.slice(0, -1) ?? '')).toBe(false);
  });

  it('workflows list escapes what it shows', () => {
    const table = formatWorkflowsTable([{ id: 'greet', name: 'Greet', file: '/w/greet.yaml', enabled: true, triggers: [{ type: 'event', event: HOSTILE, conditional: false }], lastRun: null, nextScheduled: null }], '/w');
    expect(RAW_CONTROL.test(table)).toBe(false);
    expect(table).toContain(`event ${SHOWN}`);
  });

  it('the plan view escapes the subject and the changes it lists', () => {
    const plan: PlanResult = {
      workflow: { id: 'greet', name: 'Greet' },
      runId: 'plan',
      subject: HOSTILE,
      when: true,
      steps: [{ id: 'greet', name: 'Greet', action: 'log', status: 'would_run', summary: HOSTILE, changes: [{ operation: 'remove', target: HOSTILE }] }],
      onFailure: [],
      totalChanges: 1,
    };
    const text = renderPlan(plan, 'plain');
    expect(RAW_CONTROL.test(text)).toBe(false);
    expect(text).toContain(`for ${SHOWN}`);
  });
});
