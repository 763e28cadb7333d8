import { execFile } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliPath, repoRoot, type CliResult } from '../support/cli.js';
import { TEMPLATE, workspace, writeConfig, type Workspace } from './support/offboarding.js';

/**
 * Case 7 of issue 10: every file and folder the store writes is its owner's only (0600 / 0700),
 * whatever the umask. Under umask 000 the store's folders used to be 0777 and outbox emails
 * (who left, why, what was revoked) 0666; under 022 outbox emails and lock files were 0644.
 */

/** Runs the built CLI under `umask`, through the shell (the umask is a process attribute). */
function idflowUnder(umask: string, args: readonly string[], ws: Workspace): Promise<CliResult> {
  return new Promise((resolveResult) => {
    const child = execFile('/bin/sh', ['-c', `umask ${umask} && exec "$0" "$@"`, process.execPath, cliPath, ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ...ws.env } as NodeJS.ProcessEnv,
      maxBuffer: 16 * 1024 * 1024,
    }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : (child.exitCode ?? -1);
      resolveResult({ code, stdout, stderr });
    });
  });
}

/**
 * Under `umask`, with the built modules: what serve and a run in flight leave in the store that a
 * finished sandbox run does not (an accepted event, a schedule's state, a timer, a held subject lock).
 */
function writeServeFilesUnder(umask: string, store: string): Promise<CliResult> {
  const dist = (path: string) => JSON.stringify(pathToFileURL(join(repoRoot, 'dist', path)).href);
  const script = [
    `const { EventInbox } = await import(${dist('engine/serve/event-inbox.js')});`,
    `const { ScheduleStateStore } = await import(${dist('engine/serve/schedule-state.js')});`,
    `const { TimerStore } = await import(${dist('engine/timers/timer-store.js')});`,
    `const { acquireSubjectLock } = await import(${dist('engine/store/subject-lock.js')});`,
    `const { RunStore } = await import(${dist('engine/store/run-store.js')});`,
    'const store = process.argv[1];',
    "new EventInbox(store).create({ source: 'hr', id: 'evt-1', event: 'hr.employee.terminated', via: 'webhook', receivedAt: new Date().toISOString(), payload: { email: 'john.smith@company.com' }, runs: [], skipped: [], pending: [] });",
    "new ScheduleStateStore(store).put({ workflowId: 'nightly', trigger: 0, cron: '0 2 * * *', timezone: 'UTC', lastSlot: new Date().toISOString() });",
    "new TimerStore(store).schedule({ key: 'delete-john', action: 'log', params: {}, description: 'delete john', dueAt: new Date(Date.now() + 86400000).toISOString(), scheduledBy: { runId: 'r', workflowId: 'w' } });",
    "acquireSubjectLock(new RunStore(store).locksDir(), 'john.smith@company.com', '20261207-0000-aaaaaa');",
  ].join('\n');
  return new Promise((resolveResult) => {
    execFile('/bin/sh', ['-c', `umask ${umask} && exec "$0" "$@"`, process.execPath, '--input-type=module', '-e', script, store], { cwd: repoRoot }, (error, stdout, stderr) => {
      resolveResult({ code: error === null ? 0 : 1, stdout, stderr });
    });
  });
}

/** Every file and folder under `root` with its permission bits, as `path mode` lines. */
function modesUnder(root: string): { folders: Map<string, number>; files: Map<string, number> } {
  const folders = new Map<string, number>([['.', lstatSync(root).mode & 0o777]]);
  const files = new Map<string, number>();
  const walk = (dir: string, relative: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const shown = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        folders.set(shown, lstatSync(path).mode & 0o777);
        walk(path, shown);
      } else {
        files.set(shown, lstatSync(path).mode & 0o777);
      }
    }
  };
  walk(root, '');
  return { folders, files };
}

const octal = (mode: number): string => `0${mode.toString(8)}`;

describe('the store under any umask', () => {
  for (const umask of ['000', '022']) {
    it(`writes every file 0600 and every folder 0700 under umask ${umask}: runs, outbox emails, backups, sandbox, locks, timers, serve's files`, async () => {
      const ws = workspace();
      // The quick start's run: john.smith offboarded, his backup taken, both emails in the outbox.
      const config = writeConfig(ws, 'vars: {}\n');
      const run = await idflowUnder(umask, ['run', TEMPLATE, '--sandbox', '--config', config, '--input', 'user_identifier=john.smith', '--json'], ws);
      expect(run.code, run.stderr).toBe(0);
      const disabled = await idflowUnder(umask, ['workflows', 'disable', 'jumpcloud-offboarding', '--config', config, '--reason', 'umask test'], ws);
      expect(disabled.code, disabled.stderr).toBe(0);
      const serveFiles = await writeServeFilesUnder(umask, ws.store);
      expect(serveFiles.code, serveFiles.stderr).toBe(0);

      const { folders, files } = modesUnder(ws.store);
      // What must be there for the check to mean something.
      const names = [...files.keys()];
      for (const expected of [/^runs\/[^/]+\/run\.json$/, /^runs\/[^/]+\/template\.yaml$/, /^runs\/[^/]+\/inputs\.json$/, /^runs\/[^/]+\/audit\.jsonl$/, /^runs\/[^/]+\/log\.jsonl$/, /^outbox\/.*\.eml$/, /^backups\/.*jumpcloud-export\.json$/, /^sandbox\/.*\.json$/, /^locks\/.*\.lock$/, /^timers\//, /^serve\/events\//, /^serve\/schedules\//, /^workflows\//]) {
        expect(names.some((name) => expected.test(name)), `${String(expected)} among ${names.join(', ')}`).toBe(true);
      }
      const wrongFiles = [...files].filter(([, mode]) => mode !== 0o600).map(([path, mode]) => `${path} ${octal(mode)}`);
      const wrongFolders = [...folders].filter(([, mode]) => mode !== 0o700).map(([path, mode]) => `${path} ${octal(mode)}`);
      expect(wrongFiles).toEqual([]);
      expect(wrongFolders).toEqual([]);
    });
  }
});
