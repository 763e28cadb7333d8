import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandIo } from '../../../engine/cli/command-runner.js';
import { sandboxCommand, type SandboxCommandOptions } from '../../../engine/cli/commands/sandbox-handler.js';
import { IdflowError, UsageError, ValidationError } from '../../../engine/errors/index.js';
import { idflow, repoRoot, spawnIdflow, waitFor } from '../../support/cli.js';

/** `idflow sandbox`: the handler in this process (stopped through its signal), and the built CLI stopped with SIGTERM. */

function captureIo(cwd = repoRoot): CommandIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => { out += text; return true; } },
    stderr: { write: (text: string) => { err += text; return true; } },
    env: {},
    cwd,
    out: () => out,
    err: () => err,
  };
}

/** Starts the handler, waits until it serves, and hands back its output and a way to stop it. */
async function serve(options: SandboxCommandOptions, cwd?: string) {
  const io = captureIo(cwd);
  const controller = new AbortController();
  const done = sandboxCommand({ plugin: [], ...options }, io, controller.signal);
  let failed: unknown;
  done.catch((error: unknown) => { failed = error; });
  await waitFor(() => io.out().includes('Serving until') || failed !== undefined, 15_000, 'the sandbox to serve');
  if (failed !== undefined) throw failed;
  const url = /listening on (http:\/\/\S+)/.exec(io.out())?.[1] as string;
  const key = /API key: (\S+)/.exec(io.out())?.[1] as string;
  return { io, url, key, stop: async () => { controller.abort('test done'); return done; } };
}

describe('idflow sandbox (handler)', () => {
  it('starts the JumpCloud emulator seeded from the example org, prints its URL, key and the exports, serves, and stops with exit code 0', async () => {
    const sandbox = await serve({ apiKey: 'sandbox-test-key-1', rateLimit: '50', seed: '7' });
    expect(sandbox.key).toBe('sandbox-test-key-1');
    expect(sandbox.io.out()).toContain('Organization: Company Inc.');
    expect(sandbox.io.out()).toContain('34 users');
    expect(sandbox.io.out()).toContain('Faults: rateLimit=50');
    expect(sandbox.io.out()).toContain(`export JUMPCLOUD_API_URL=${sandbox.url} JUMPCLOUD_API_KEY=sandbox-test-key-1`);
    const reply = await fetch(`${sandbox.url}/api/systemusers?filter=${encodeURIComponent('username:$eq:john.smith')}`, { headers: { 'x-api-key': 'sandbox-test-key-1' } });
    expect(((await reply.json()) as { totalCount: number }).totalCount).toBe(1);
    expect(await sandbox.stop()).toBe(0);
    expect(sandbox.io.err()).toContain('test done: stopping');
    await expect(fetch(`${sandbox.url}/api/systemusers`, { headers: { 'x-api-key': 'sandbox-test-key-1' } })).rejects.toThrow();
  });

  it('keeps the organisation in --state FILE across sessions', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-sandbox-cmd-'));
    const first = await serve({ state: 'state.json', apiKey: 'sandbox-state-key-1' }, dir);
    expect(first.io.out()).toContain(`State: ${join(dir, 'state.json')} (new, starting from the org file)`);
    const headers = { 'x-api-key': 'sandbox-state-key-1', 'content-type': 'application/json' };
    const found = (await (await fetch(`${first.url}/api/systemusers?filter=${encodeURIComponent('username:$eq:john.smith')}`, { headers })).json()) as { results: Array<{ _id: string }> };
    const id = found.results[0]!._id;
    expect((await fetch(`${first.url}/api/systemusers/${id}`, { method: 'PUT', headers, body: JSON.stringify({ suspended: true }) })).status).toBe(200);
    await first.stop();
    const second = await serve({ state: 'state.json', apiKey: 'sandbox-state-key-1' }, dir);
    expect(second.io.out()).toContain('(continuing from the state saved');
    const user = (await (await fetch(`${second.url}/api/systemusers/${id}`, { headers })).json()) as { state: string };
    expect(user.state).toBe('SUSPENDED');
    await second.stop();
  });

  it('takes another org file with --data, and refuses a broken one with its problems', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-sandbox-data-'));
    writeFileSync(join(dir, 'tiny.json'), JSON.stringify({ organization: { name: 'Tiny Ltd' }, users: [{ username: 'solo', email: 'solo@tiny.example' }] }));
    const tiny = await serve({ data: 'tiny.json' }, dir);
    expect(tiny.io.out()).toContain('Organization: Tiny Ltd');
    expect(tiny.io.out()).toContain('(1 users,');
    await tiny.stop();
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ users: [{ username: 'solo' }] }));
    const error = await sandboxCommand({ data: 'broken.json', plugin: [] }, captureIo(dir), AbortSignal.abort()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('users[0]: missing required field "email"');
  });

  it('refuses malformed option values and unknown packs before starting anything', async () => {
    const cases: Array<[SandboxCommandOptions, string]> = [
      [{ port: '70000' }, '--port must be a whole number from 0 to 65535, got "70000"'],
      [{ port: 'abc' }, '--port must be a whole number from 0 to 65535, got "abc"'],
      [{ failRate: '1.5' }, '--fail-rate must be a probability from 0 to 1 (e.g. 0.2), got "1.5"'],
      [{ dropRate: '-0.1' }, '--drop-rate must be a probability from 0 to 1 (e.g. 0.2), got "-0.1"'],
      [{ rateLimit: 'fast' }, '--rate-limit must be a number of requests per second ≥ 0 (0: no limit), got "fast"'],
      [{ latency: '2.5' }, '--latency must be a whole number from 0 to 600000, got "2.5"'],
      [{ orgId: 'ACME' }, '--org-id must be an organisation id of 24 lowercase hexadecimal characters, got "ACME"'],
      [{ apiKey: ' ' }, '--api-key must not be empty'],
      [{ apiKey: 'short-key' }, '--api-key is 9 characters long; a secret needs at least 16 (a short secret is easy to guess and cannot be redacted safely from logs and records)'],
      [{ pack: 'jumpclod' }, '--pack jumpclod: no plugin pack of that name is loaded (loaded: core, jumpcloud). Did you mean "jumpcloud"?'],
      [{ pack: 'core' }, '--pack core: the pack has no sandbox (packs with one: jumpcloud)'],
    ];
    for (const [options, message] of cases) {
      const error = await sandboxCommand({ plugin: [], ...options }, captureIo(), AbortSignal.abort()).catch((e: unknown) => e);
      expect(error, JSON.stringify(options)).toBeInstanceOf(UsageError);
      expect((error as Error).message).toBe(message);
    }
  });

  it('says so when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const error = await sandboxCommand({ port: String(port), plugin: [] }, captureIo(), AbortSignal.abort()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdflowError);
      expect((error as IdflowError).code).toBe('SANDBOX_START');
      expect((error as Error).message).toBe(`The sandbox of pack "jumpcloud" could not start: 127.0.0.1:${port} is already in use (choose another --port, or 0 for a free one)`);
    } finally {
      blocker.close();
    }
  });
});

describe('idflow sandbox (built CLI)', () => {
  it('prints its URL and key, serves, and exits 0 on SIGTERM', async () => {
    const child = spawnIdflow(['sandbox', '--api-key', 'sandbox-cli-key-0123', '--fail-rate', '0.1', '--latency', '5', '--seed', '3'], { cwd: repoRoot });
    try {
      await waitFor(() => child.output().stdout.includes('Serving until'), 15_000, 'idflow sandbox to serve');
      const url = /listening on (http:\/\/\S+)/.exec(child.output().stdout)?.[1] as string;
      expect(child.output().stdout).toContain('API key: sandbox-cli-key-0123');
      expect(child.output().stdout).toContain('Faults: latencyMs=5, failRate=0.1');
      const reply = await fetch(`${url}/__sandbox/state`, { headers: { 'x-api-key': 'sandbox-cli-key-0123' } });
      expect(reply.status).toBe(200);
      child.kill('SIGTERM');
      expect(await child.exited).toBe(0);
      expect(child.output().stderr).toContain('SIGTERM: stopping');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('exits 2 for a bad option value, starting nothing', async () => {
    const result = await idflow(['sandbox', '--fail-rate', '2'], { cwd: repoRoot });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--fail-rate must be a probability from 0 to 1 (e.g. 0.2), got "2"');
    expect(result.stdout).toBe('');
  });

  it('is listed by idflow --help', async () => {
    const result = await idflow(['--help'], { cwd: repoRoot });
    expect(result.stdout).toMatch(/sandbox \[options\]\s+serve the built-in emulators/);
  });
});
