import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSandboxData, startEmulator, type RunningEmulator } from '../../actions/jumpcloud/emulator/index.js';
import { repoRoot, waitFor } from '../support/cli.js';
import { signedEventHeaders } from '../support/webhook-signing.js';
import { API_KEY } from './support/real-org.js';
import { SERVE_ENV, serveWorkspace, startServeProcess, writeServeConfig } from './support/serve-process.js';

/**
 * The file-descriptor scenario, end to end: `idflow serve` under `ulimit -n 128`, idle
 * connections that never authenticate held open, and a burst of 40 signed events (from a sender
 * with a pool of 16 connections) whose runs call the JumpCloud emulator (with latency). Before,
 * accepted events were lost to EMFILE (answered 202, then "skipped: EMFILE", run folders without
 * run.json, a lock held until restart). Now serve sizes its connection caps by the descriptor
 * limit, closes idle strangers to make room for senders, sheds what it cannot take with 503 +
 * Retry-After, and every event it accepted ends in a run that succeeded.
 */

const EVENTS = 40;
/**
 * The descriptor limit serve runs under: low enough that the connection caps come from it, high
 * enough for serve's own start (loading its modules opens files side by side: at 90, serve with
 * its console could not start).
 */
const OPEN_FILE_LIMIT = 128;
const IDLE_CONNECTIONS = 60;

const TEMPLATE = `id: burst-leaver
name: Burst leaver
subject: "{{inputs.email}}"
inputs:
  email: { type: string, required: true }
triggers:
  - type: event
    event: hr.employee.terminated
    inputs: { email: "{{event.email}}" }
steps:
  - id: lookup
    action: jumpcloud.user.lookup
    with: { identifier: "{{inputs.email}}" }
  - id: deactivate
    action: jumpcloud.user.deactivate
    with: { user_id: "{{steps.lookup.output.user.id}}", mode: disable, retention_days: 30 }
`;

const email = (i: number): string => `burst.user${String(i).padStart(2, '0')}@company.com`;

let emulator: RunningEmulator;
beforeAll(async () => {
  const data = await loadSandboxData(join(repoRoot, 'examples', 'sandbox', 'org.json'));
  const users = Array.from({ length: EVENTS + 1 }, (_, i) => ({ username: `burst.user${String(i).padStart(2, '0')}`, email: email(i), firstname: 'Burst', lastname: `User ${i}` }));
  emulator = await startEmulator({ data: { ...data, users: [...(data.users ?? []), ...users] }, apiKey: API_KEY, latencyMs: 20 });
});
afterAll(() => emulator.close());

/** Opens a connection that sends nothing (a stranger holding a slot), resolved once connected. */
function idleConnection(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

/** A sender's answer; status 0 when the connection was closed without one. */
interface Answer { status: number; retryAfter: string | undefined; body: any }

/** POSTs event `i` signed, through `agent` (the sender's connection pool). */
function post(url: string, i: number, agent: Agent | false): Promise<Answer> {
  const raw = JSON.stringify({ id: `burst-${i}`, email: email(i) });
  const target = new URL(`${url}/events/hr.employee.terminated`);
  return new Promise((resolve) => {
    const req = request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(raw), ...signedEventHeaders(SERVE_ENV.HR_WEBHOOK_SECRET, 'hr.employee.terminated', raw) } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], body: JSON.parse(text) }));
      response.on('error', () => resolve({ status: 0, retryAfter: undefined, body: {} }));
    });
    req.on('error', () => resolve({ status: 0, retryAfter: undefined, body: {} }));
    req.end(raw);
  });
}

describe('idflow serve under a low open-file limit', () => {
  it('sheds a burst with 503 + Retry-After instead of losing accepted events to EMFILE', async () => {
    const ws = serveWorkspace({ JUMPCLOUD_API_KEY: API_KEY });
    mkdirSync(join(ws.dir, 'templates'));
    writeFileSync(join(ws.dir, 'templates', 'burst-leaver.yaml'), TEMPLATE);
    writeServeConfig(ws, [
      'connections:',
      '  jumpcloud:',
      `    base_url: ${JSON.stringify(emulator.url)}`,
      '    api_key: { env: JUMPCLOUD_API_KEY }',
      'serve:',
      '  token: { env: IDFLOW_SERVE_TOKEN }',
      '  sources:',
      '    hr: { secret: { env: HR_WEBHOOK_SECRET } }',
      '',
    ].join('\n'));
    const serve = await startServeProcess(['--workflows', 'templates'], ws, ws.dir, { openFileLimit: OPEN_FILE_LIMIT });
    const idle: Socket[] = [];
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    try {
      await waitFor(() => serve.stderr().includes('serving at most'), 5_000, 'serve to log its connection caps');
      const caps = new RegExp(`serving at most (\\d+) connections \\((\\d+) not yet authenticated\\).*ulimit -n ${OPEN_FILE_LIMIT}`).exec(serve.stderr());
      expect(caps, serve.stderr()).not.toBeNull();
      const unauthenticatedCap = Number(caps?.[2]);
      // Strangers open connections and send nothing; those beyond the caps are closed at once.
      for (let i = 0; i < IDLE_CONNECTIONS; i += 1) {
        const socket = await idleConnection(serve.url).catch(() => undefined);
        if (socket !== undefined) idle.push(socket);
      }
      await new Promise((r) => setTimeout(r, 1_200));
      const accepted = new Set<string>();
      const answers: Answer[] = [];
      const shed: Answer[] = [];
      const sendMissing = async (): Promise<void> => {
        const missing = Array.from({ length: EVENTS }, (_, i) => i).filter((i) => !accepted.has(`burst-${i}`));
        for (const answer of await Promise.all(missing.map((i) => post(serve.url, i, agent)))) {
          answers.push(answer);
          if (answer.status === 202 || (answer.status === 200 && answer.body.duplicate === true)) accepted.add(answer.body.id as string);
          else shed.push(answer);
        }
      };
      await sendMissing();
      // What was not accepted was answered 503 with Retry-After (never 500, never lost after a 2xx).
      for (const answer of shed) expect(answer, JSON.stringify(answer)).toMatchObject({ status: 503, retryAfter: '5', body: { error: { code: 'OVERLOADED' } } });
      // The sender retries what was shed (sooner than Retry-After, to keep the test short).
      const deadline = Date.now() + 15_000;
      while (accepted.size < EVENTS && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 300));
        await sendMissing();
      }
      expect(accepted.size, JSON.stringify(answers.filter((a) => a.status !== 202))).toBe(EVENTS);

      // With every place for strangers taken by ones that just arrived (none idle long enough to
      // give way), a new sender is answered 503 with Retry-After, and its retry later is accepted.
      for (const socket of idle) socket.destroy();
      idle.length = 0;
      agent.destroy();
      await new Promise((r) => setTimeout(r, 1_000));
      for (let i = 0; i < unauthenticatedCap; i += 1) {
        const socket = await idleConnection(serve.url).catch(() => undefined);
        if (socket !== undefined) idle.push(socket);
      }
      const late = await post(serve.url, EVENTS, false);
      expect(late).toMatchObject({ status: 503, retryAfter: '5', body: { error: { code: 'OVERLOADED', message: expect.stringContaining('retry after 5s') } } });
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await post(serve.url, EVENTS, false)).toMatchObject({ status: 202, body: { id: `burst-${EVENTS}` } });

      // Every accepted event ends in exactly one run that succeeded, with a run record, and no lock is left.
      const runsDir = join(ws.store, 'runs');
      const runStatus = (dir: string): string | undefined => {
        const file = join(runsDir, dir, 'run.json');
        return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { status: string }).status : undefined;
      };
      await waitFor(() => existsSync(runsDir) && readdirSync(runsDir).length > EVENTS && readdirSync(runsDir).every((dir) => { const status = runStatus(dir); return status !== undefined && status !== 'running'; }), 30_000, 'every run to end');
      const runs = readdirSync(runsDir);
      expect(runs).toHaveLength(EVENTS + 1);
      const notSucceeded = runs.filter((dir) => runStatus(dir) !== 'succeeded').map((dir) => readFileSync(join(runsDir, dir, 'run.json'), 'utf8'));
      expect(notSucceeded, serve.stderr().slice(-4_000)).toEqual([]);
      // A run releases its subject lock just after its record says how it ended: give it a moment.
      const locksDir = join(ws.store, 'locks');
      const heldSubjects = (): string[] => readdirSync(locksDir).flatMap((name) => {
        try {
          return [(JSON.parse(readFileSync(join(locksDir, name), 'utf8')) as { subject: string }).subject];
        } catch {
          return []; // released while being read
        }
      }).filter((subject) => !subject.startsWith('idflow-serve:'));
      await waitFor(() => heldSubjects().length === 0, 5_000, 'the runs to release their locks').catch(() => undefined);
      expect(heldSubjects(), serve.stderr().slice(-4_000)).toEqual([]);
      const users = emulator.state.snapshot().users.filter((u) => u.username?.startsWith('burst.user'));
      expect(users.filter((u) => u.state !== 'SUSPENDED').map((u) => u.username)).toEqual([]);
      expect(serve.stderr()).not.toMatch(/EMFILE|too many open files/i);
      // Shedding is logged once per burst (both phases fall in one, or two on a slow machine), not
      // once for each of the dozens of connections turned away.
      const shedLines = serve.stderr().split('\n').filter((line) => line.includes('shedding load:')).length;
      expect(shedLines).toBeGreaterThan(0);
      expect(shedLines).toBeLessThanOrEqual(2);
    } finally {
      for (const socket of idle) socket.destroy();
      agent.destroy();
      expect(await serve.stop()).toBe(0);
    }
  }, 60_000);
});
