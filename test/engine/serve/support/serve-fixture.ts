import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { Runtime } from '../../../../engine/runtime/runtime.js';
import { startServe, type RunningServe } from '../../../../engine/serve/serve-host.js';
import { signedEventHeaders } from '../../../support/webhook-signing.js';

/** The secrets the fixtures' configs read from the environment. */
export const ENV = { HR_SECRET: 'hr-shared-secret-123', PSA_SECRET: 'psa-shared-secret-456', SERVE_TOKEN: 'monitoring-token-789' };

/** A config with the hr and psa webhook sources and the monitoring token. */
export function serveConfig(extra = ''): string {
  return [
    'serve:',
    '  token: { env: SERVE_TOKEN }',
    '  sources:',
    '    hr: { secret: { env: HR_SECRET } }',
    '    psa: { secret: { env: PSA_SECRET } }',
    '  concurrency: 2',
    '  shutdown_grace: 5s',
    extra,
    '',
  ].join('\n');
}

/** A folder with templates, a config and a store, for in-process serve tests. */
export interface ServeFolder {
  dir: string;
  store: string;
  env: Record<string, string | undefined>;
  /** Everything serve logged. */
  log(): string;
  /** Starts serve on a free port (a new runtime each time, as a restart would). */
  start(options?: { now?: () => Date; plugins?: string[]; host?: string }): Promise<Serving>;
}

/** A running serve and HTTP helpers for it. */
export interface Serving extends RunningServe {
  runtime: Runtime;
  /** POSTs a signed event (signature and timestamp can be overridden). */
  post(name: string, body: unknown, options?: { secret?: string; timestamp?: number; headers?: Record<string, string>; raw?: string; sign?: boolean }): Promise<{ status: number; body: any }>;
  get(path: string, token?: string): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export function serveFolder(templates: Record<string, string>, config: string = serveConfig(), env: Record<string, string | undefined> = ENV): ServeFolder {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-serve-'));
  mkdirSync(join(dir, 'templates'));
  for (const [name, text] of Object.entries(templates)) writeFileSync(join(dir, 'templates', name), text);
  writeFileSync(join(dir, 'idflow.config.yaml'), config);
  const store = join(dir, 'store');
  let text = '';
  const stream = new Writable({ write(chunk, _e, cb) { text += String(chunk); cb(); } });
  return {
    dir,
    store,
    env,
    log: () => text,
    async start(options = {}) {
      const runtime = await Runtime.create({ cwd: dir, env, store, plugins: options.plugins ?? [resolve('test/fixtures/plugins/file-state.mjs')] });
      runtime.services.retryDelayScale = 0.001;
      let serving: RunningServe;
      try {
        serving = await startServe({ runtime, workflowsDir: 'templates', cwd: dir, env, flags: { port: '0', host: options.host ?? '127.0.0.1' }, log: stream, ...(options.now ? { now: options.now } : {}) });
      } catch (error) {
        await runtime.close();
        throw error;
      }
      const url = serving.url;
      return Object.assign(serving, {
        runtime,
        async post(name: string, body: unknown, o: { secret?: string; timestamp?: number; headers?: Record<string, string>; raw?: string; sign?: boolean } = {}) {
          const raw = o.raw ?? JSON.stringify(body);
          const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000));
          const secret = o.secret ?? (name.startsWith('psa.') ? ENV.PSA_SECRET : ENV.HR_SECRET);
          const eventId = o.headers?.['x-idflow-event-id'];
          const headers: Record<string, string> = { 'content-type': 'application/json', ...(o.sign === false ? {} : signedEventHeaders(secret, name, raw, { timestamp, ...(eventId === undefined ? {} : { eventId }) })), ...o.headers };
          const response = await fetch(`${url}/events/${name}`, { method: 'POST', headers, body: raw });
          return { status: response.status, body: await response.json() };
        },
        async get(path: string, token?: string) {
          const response = await fetch(`${url}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
          return { status: response.status, body: await response.json() };
        },
        async stop() {
          await serving.shutdown();
          await runtime.close();
        },
      });
    },
  };
}

/** Polls until `predicate` holds (for background runs); fails with `what` after 15 s. */
export async function eventually(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
