import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { cliPath, spawnIdflow, waitFor } from '../../support/cli.js';
import { signedEventHeaders } from '../../support/webhook-signing.js';

/** Secrets the serve e2e configs read from the environment. */
export const SERVE_ENV = { HR_WEBHOOK_SECRET: 'e2e-hr-secret-0001', IDFLOW_SERVE_TOKEN: 'e2e-monitoring-token-0002' };

/** A scratch folder with a store and an environment for `idflow serve`. */
export interface ServeWorkspace {
  dir: string;
  store: string;
  env: Record<string, string | undefined>;
}

export function serveWorkspace(extraEnv: Record<string, string | undefined> = {}): ServeWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-e2e-serve-'));
  const store = join(dir, 'store');
  return { dir, store, env: { IDFLOW_HOME: store, JUMPCLOUD_API_KEY: undefined, JUMPCLOUD_API_URL: undefined, JUMPCLOUD_ORG_ID: undefined, ...SERVE_ENV, ...extraEnv } };
}

/** A running `idflow serve` child process. */
export interface ServeProcess {
  url: string;
  stderr(): string;
  /** POSTs a signed event. */
  post(name: string, body: unknown): Promise<{ status: number; body: any }>;
  get(path: string, token?: string): Promise<{ status: number; body: any }>;
  /** Sends SIGTERM and waits for the exit code. */
  stop(): Promise<number | null>;
  /** Sends SIGKILL (no chance to clean up, as in a crash). */
  kill(): void;
  /** Resolves with the exit code (null after a signal) once the process has ended. */
  exited(): Promise<number | null>;
}

/**
 * Starts the built CLI's `idflow serve` on a free port and waits until it listens; with
 * `openFileLimit`, under `ulimit -n` of that many descriptors (through bash, as an operator would).
 */
export async function startServeProcess(args: readonly string[], ws: ServeWorkspace, cwd = ws.dir, options: { openFileLimit?: number } = {}): Promise<ServeProcess> {
  const serveArgs = ['serve', '--port', '0', ...args];
  const child = options.openFileLimit === undefined ? spawnIdflow(serveArgs, { cwd, env: ws.env }) : spawnLimited(serveArgs, options.openFileLimit, cwd, ws.env);
  let url: string | undefined;
  await waitFor(() => {
    url = /listening on (https?:\/\/[^\s:]+:\d+)/.exec(child.output().stderr)?.[1];
    return url !== undefined || child.exitCode !== null;
  }, 20_000, 'idflow serve to listen');
  if (url === undefined) throw new Error(`idflow serve exited with ${String(child.exitCode)}:\n${child.output().stderr}`);
  const base = url;
  return {
    url: base,
    stderr: () => child.output().stderr,
    async post(name, body) {
      const raw = JSON.stringify(body);
      const response = await fetch(`${base}/events/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signedEventHeaders(SERVE_ENV.HR_WEBHOOK_SECRET, name, raw) },
        body: raw,
      });
      return { status: response.status, body: await response.json() };
    },
    async get(path, token) {
      const response = await fetch(`${base}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
      return { status: response.status, body: await response.json() };
    },
    async stop() {
      child.kill('SIGTERM');
      return child.exited;
    },
    kill: () => child.kill('SIGKILL'),
    exited: () => child.exited,
  };
}

/** {@link spawnIdflow} under `ulimit -n limit`. */
function spawnLimited(args: readonly string[], limit: number, cwd: string, env: Record<string, string | undefined>): ReturnType<typeof spawnIdflow> {
  const child = spawn('bash', ['-c', `ulimit -n ${limit} && exec "$0" "$@"`, process.execPath, cliPath, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  return Object.assign(child, { output: () => ({ stdout, stderr }), exited });
}

/**
 * The config of serve's end-to-end and reliability tests: the offboarding's variables without
 * notifications, the JumpCloud connection to `baseUrl` (key from `JUMPCLOUD_API_KEY`, `admin`
 * protected), the monitoring token and the `hr` webhook source; `extra` lines are appended.
 */
export function offboardingServeConfig(baseUrl: string, extra: readonly string[] = []): string {
  return [
    'vars:',
    '  jumpcloud_notify_on_removal: false',
    '  it_team_emails: []',
    'connections:',
    '  jumpcloud:',
    `    base_url: ${JSON.stringify(baseUrl)}`,
    '    api_key: { env: JUMPCLOUD_API_KEY }',
    '    protected_accounts: [admin@company.com]',
    'serve:',
    '  token: { env: IDFLOW_SERVE_TOKEN }',
    '  sources:',
    '    hr: { secret: { env: HR_WEBHOOK_SECRET } }',
    ...extra,
    '',
  ].join('\n');
}

/** Writes `idflow.config.yaml` into the workspace and returns its path. */
export function writeServeConfig(ws: ServeWorkspace, text: string, name = 'idflow.config.yaml'): string {
  const path = join(ws.dir, name);
  writeFileSync(path, text);
  return path;
}

/** Reads a JSON file. */
export function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}
