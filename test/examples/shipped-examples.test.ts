import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSandboxData, startEmulator, type RunningEmulator } from '../../actions/jumpcloud/emulator/index.js';
import { startSmtpServer, type SmtpTestServer } from '../actions/core/helpers/smtp-test-server.js';
import { signedEventHeaders } from '../support/webhook-signing.js';
import { idflow, repoRoot, spawnIdflow, waitFor, type CliResult } from '../support/cli.js';

/**
 * Every shipped example runs as shipped (issue 10, case 10): each template in examples/ (and the
 * shipped offboarding template with the example config and inputs in examples/) is run by the
 * built CLI against the JumpCloud emulator and servers this test starts on loopback (SMTP, the
 * PSA's HTTP API), and its effect is checked. The employee-offboarding example goes through
 * `idflow serve` with its own config, as its header says, and a signed copy of its sample event.
 *
 * Where an example config names a real service (console.jumpcloud.com, mail.company.com,
 * psa.company.com, /srv/idflow/backups), the copy the test writes points that address at the
 * test's own server or folder; nothing else of the config changes.
 */

const examples = join(repoRoot, 'examples');
const API_KEY = 'examples-jumpcloud-key-0123456789';
const PSA_TOKEN = 'examples-psa-token-0123456789';
const SMTP_PASSWORD = 'examples-smtp-password-0123';
/** The organisation id the example config sends as x-org-id. */
const EXAMPLE_ORG_ID = '5f1b2c3d4e5f6a7b8c9d0e1f';

/** The PSA ticket API the psa-ticket-note plugin talks to (see examples/plugins/psa-ticket-note.mjs). */
class PsaServer {
  readonly notes: Array<{ ticket: number; text: string; internal: boolean }> = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await new Promise<string>((resolve) => {
      let text = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text));
    });
    const send = (status: number, data: unknown): void => void response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(data));
    if (request.headers.authorization !== `Bearer ${PSA_TOKEN}`) return send(401, { error: 'invalid token' });
    const match = /^\/api\/tickets\/(\d+)(\/notes)?$/.exec(request.url ?? '');
    if (match === null || match[1] !== '4711') return send(404, { error: 'no such ticket' });
    const ticket = Number(match[1]);
    if (match[2] === undefined) return send(200, { id: ticket, summary: 'Offboard John Smith', status: 'open' });
    if (request.method === 'GET') return send(200, this.notes.filter((n) => n.ticket === ticket).map((n, i) => ({ id: i + 1, text: n.text, internal: n.internal })));
    const { text, internal } = JSON.parse(body) as { text: string; internal: boolean };
    this.notes.push({ ticket, text, internal });
    return send(201, { id: this.notes.length, text, internal });
  }
}

let emulator: RunningEmulator;
let smtp: SmtpTestServer;
const psa = new PsaServer();

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadSandboxData(join(examples, 'sandbox', 'org.json')), apiKey: API_KEY, orgId: EXAMPLE_ORG_ID, seed: 5 });
  smtp = await startSmtpServer({ users: { idflow: SMTP_PASSWORD } });
  await psa.start();
});
afterAll(async () => {
  await emulator.close();
  await smtp.close();
  await psa.stop();
});

/** Reads a JSON file. */
function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/** A scratch folder with its own store. */
function workspace(): { dir: string; env: Record<string, string | undefined> } {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-examples-'));
  return { dir, env: { IDFLOW_HOME: join(dir, 'store'), JUMPCLOUD_API_KEY: API_KEY, JUMPCLOUD_API_URL: emulator.url, JUMPCLOUD_ORG_ID: undefined, SMTP_PASSWORD, PSA_TOKEN } };
}

/**
 * examples/idflow.config.yaml with its outside addresses pointed at the test's servers (the
 * JumpCloud URL comes from JUMPCLOUD_API_URL, as the config's comment says) and its relative
 * paths made absolute, written into `dir`.
 */
function exampleConfig(dir: string): string {
  const replace = (text: string, from: string, to: string): string => {
    expect(text, `examples/idflow.config.yaml no longer contains ${from}`).toContain(from);
    return text.replace(from, to);
  };
  let text = readFileSync(join(examples, 'idflow.config.yaml'), 'utf8');
  text = replace(text, 'url: smtp://mail.company.com:587', `url: ${smtp.url}`);
  text = replace(text, 'base_url: https://psa.company.com/api', `base_url: ${psa.url}`);
  text = replace(text, 'backup_root: /srv/idflow/backups', `backup_root: ${JSON.stringify(join(dir, 'backups'))}`);
  text = replace(text, '- ./plugins/psa-ticket-note.mjs', `- ${JSON.stringify(join(examples, 'plugins', 'psa-ticket-note.mjs'))}`);
  const path = join(dir, 'idflow.config.yaml');
  writeFileSync(path, text);
  return path;
}

function expectSuccess(result: CliResult, what: string): unknown {
  expect(result.code, `${what}:\n${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as unknown;
}

async function jumpcloudUser(username: string): Promise<{ state?: string; suspended?: boolean }> {
  const response = await fetch(`${emulator.url}/api/systemusers?filter=username:$eq:${username}`, { headers: { 'x-api-key': API_KEY, 'x-org-id': EXAMPLE_ORG_ID } });
  const body = (await response.json()) as { results: Array<{ state?: string; suspended?: boolean }> };
  return body.results[0] ?? {};
}

describe('the shipped examples run as shipped', () => {
  it('examples/hello.yaml greets, and louder for a new joiner', async () => {
    const ws = workspace();
    const hello = join(examples, 'hello.yaml');
    expect(expectSuccess(await idflow(['run', hello, '--input', 'name=Jane', '--json'], { cwd: ws.dir, env: ws.env }), 'hello')).toEqual({ greeting: 'Hello Jane, welcome to ACME', welcomed: 'skipped' });
    expect(expectSuccess(await idflow(['run', hello, '--input', 'name=Sam', '--input', 'new_joiner=true', '--json'], { cwd: ws.dir, env: ws.env }), 'hello, new joiner')).toEqual({ greeting: 'Hello Sam, welcome to ACME', welcomed: 'succeeded' });
  });

  it('examples/psa-offboarding-note.yaml with examples/idflow.config.yaml notes the ticket once', async () => {
    const ws = workspace();
    const config = exampleConfig(ws.dir);
    const args = ['run', join(examples, 'psa-offboarding-note.yaml'), '--input', 'user_identifier=john.smith@company.com', '--input', 'ticket_id=4711', '--config', config, '--json'];
    const first = expectSuccess(await idflow(args, { cwd: ws.dir, env: ws.env }), 'psa note') as { ticket_id: number; note_added: boolean };
    expect(first).toMatchObject({ ticket_id: 4711, note_added: true });
    expect(psa.notes).toHaveLength(1);
    expect(psa.notes[0]?.text).toContain('Offboarded john.smith@company.com with idflow');
    // The note carries a key: running it again adds none.
    const again = expectSuccess(await idflow(args, { cwd: ws.dir, env: ws.env }), 'psa note again') as { note_added: boolean };
    expect(again.note_added).toBe(false);
    expect(psa.notes).toHaveLength(1);
  });

  it('templates/jumpcloud-offboarding.yaml with examples/idflow.config.yaml and examples/offboarding/ offboards as described', async () => {
    const ws = workspace();
    const config = exampleConfig(ws.dir);
    const template = join(repoRoot, 'templates', 'jumpcloud-offboarding.yaml');
    const sent = smtp.messages.length;
    const one = expectSuccess(await idflow(['run', template, '--inputs', join(examples, 'offboarding', 'inputs.json'), '--config', config, '--json'], { cwd: ws.dir, env: ws.env }), 'offboarding john.smith') as { actions_taken: { account_status: string } };
    expect(one.actions_taken.account_status).toBe('disabled');
    expect(await jumpcloudUser('john.smith')).toMatchObject({ suspended: true });
    expect(smtp.messages.length).toBeGreaterThan(sent);
    expect(smtp.logins).toContainEqual({ username: 'idflow', password: SMTP_PASSWORD });
    expect(readdirSync(join(ws.dir, 'backups'), { recursive: true }).some((f) => String(f).endsWith('.json'))).toBe(true);
    // The leavers' CSV, as one bulk run.
    const bulk = await idflow(['run', template, '--inputs-file', join(examples, 'offboarding', 'leavers.csv'), '--yes', '--config', config, '--json'], { cwd: ws.dir, env: ws.env });
    expect(bulk.code, bulk.stderr).toBe(0);
    for (const username of ['priya.patel', 'chris.taylor', 'sam.rivera']) expect(await jumpcloudUser(username), username).toMatchObject({ suspended: true });
  }, 120_000);

  it('examples/serve/ under idflow serve: the sample HR event offboards everywhere, and the suspension alert follows', async () => {
    const ws = workspace();
    const store = join(ws.dir, 'store');
    // The variables the example config's header exports (openssl rand -hex 24 in real life).
    const hrSecret = 'examples-hr-webhook-secret-0123456789';
    const env = { IDFLOW_HOME: store, JUMPCLOUD_API_KEY: undefined, JUMPCLOUD_API_URL: undefined, HR_WEBHOOK_SECRET: hrSecret, PSA_WEBHOOK_SECRET: 'examples-psa-webhook-secret-0123456789', IDFLOW_SERVE_TOKEN: 'examples-serve-token-0123456789' };
    const child = spawnIdflow(['serve', '--config', join(examples, 'serve', 'idflow.config.yaml'), '--workflows', join(examples, 'serve'), '--sandbox', '--port', '0'], { cwd: ws.dir, env });
    const stderr = (): string => child.output().stderr;
    try {
      // Serve's own line, not the sandbox emulator's (which also says "listening on").
      await waitFor(() => / info\s+listening on http/.test(stderr()) || child.exitCode !== null, 30_000, 'idflow serve to listen');
      const base = / info\s+listening on (http:\/\/[^\s:]+:\d+)/.exec(stderr())?.[1] as string;
      expect(base, stderr()).toBeDefined();
      const post = async (name: string, body: unknown): Promise<{ status: number; body: unknown }> => {
        const raw = JSON.stringify(body);
        const response = await fetch(`${base}/events/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...signedEventHeaders(hrSecret, name, raw) }, body: raw });
        return { status: response.status, body: await response.json() };
      };
      const event = readJson(join(examples, 'serve', 'hr-employee-terminated.json')) as { id: string };
      const answer = await post('hr.employee.terminated', event);
      expect(answer.status, `${JSON.stringify(answer.body)}\n${stderr()}`).toBe(202);
      const runId = (answer.body as { runs: Array<{ workflow: string; runId: string }> }).runs.find((r) => r.workflow === 'employee-offboarding')?.runId as string;
      expect(runId, JSON.stringify(answer.body)).toBeDefined();
      const runJson = join(store, 'runs', runId, 'run.json');
      const deadline = Date.now() + 60_000;
      let status = 'running';
      while (Date.now() < deadline) {
        try {
          status = (readJson(runJson) as { status: string }).status;
        } catch {
          // not written yet
        }
        if (status !== 'running') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status, stderr()).toBe('succeeded');
      const output = readJson(join(store, 'runs', runId, 'output.json')) as Record<string, unknown>;
      expect(output).toMatchObject({ email: 'john.smith@company.com', devices_locked: false, hr_record_closed: false });
      // The sandbox's JumpCloud has John suspended, and IT got the summary (in the outbox: --sandbox).
      const emulatorUrl = /JumpCloud emulator listening on (http:\/\/\S+)/.exec(stderr())?.[1] as string;
      const sandboxKey = /API key: (\S+)/.exec(stderr())?.[1] as string;
      const users = (await (await fetch(`${emulatorUrl}/api/systemusers?filter=username:$eq:john.smith`, { headers: { 'x-api-key': sandboxKey } })).json()) as { results: Array<{ suspended?: boolean }> };
      expect(users.results[0]?.suspended).toBe(true);
      const outbox = readdirSync(join(store, 'outbox')).filter((f) => f.endsWith('.eml')).map((f) => readFileSync(join(store, 'outbox', f), 'utf8'));
      const summary = outbox.find((mail) => mail.includes('Offboarded john.smith@company.com'));
      expect(summary, outbox.join('\n----\n')).toBeDefined();
      expect(summary).toContain('Devices: no device management configured');
      expect(summary).toContain('HR record: not updated (no HR API or employee id)');
      // Directory Insights reports the suspension (polled every 30s, as shipped): suspended-user-alert tells IT.
      await waitForText(() => stderr(), /suspended-user-alert/, 75_000);
      await waitForText(() => readdirSync(join(store, 'outbox')).map((f) => readFileSync(join(store, 'outbox', f), 'utf8')).join('\n'), /JumpCloud user john\.smith suspended/, 30_000);
      expect(stderr()).not.toMatch(/run \S+ failed/);
    } finally {
      child.kill('SIGTERM');
      await child.exited;
    }
  }, 150_000);
});

async function waitForText(read: () => string, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${String(pattern)} in:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
