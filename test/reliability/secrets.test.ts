import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSandboxData, startEmulator, type RunningEmulator } from '../../actions/jumpcloud/emulator/index.js';
import { signedEventHeaders } from '../support/webhook-signing.js';
import { startSmtpServer, type SmtpTestServer } from '../actions/core/helpers/smtp-test-server.js';
import { idflow, repoRoot, spawnIdflow, type CliResult } from '../support/cli.js';
import { waitUntil } from './support/suite-settings.js';

/**
 * Secrets never written anywhere: runs in which every kind of secret is used — the JumpCloud API
 * key, the SMTP password, a serve webhook secret and monitoring token, a secret input, a
 * `{{secret}}` value (in a header and an `x-secret` webhook URL), and a plugin that logs,
 * records, fails with and returns its `x-secret` parameter — through `idflow run`, `--sandbox`
 * (emails to the outbox), `runs show`, `audit show` and `idflow serve`. Then every file under
 * the working folder (store, run records, logs, audit trails, backups, outbox, serve's files)
 * and everything printed is searched for each secret, as is and encoded.
 */

const SECRETS = {
  apiKey: 'JCKEY-9f3b7c1e5a2d4b6c',
  smtpPassword: 'SMTP pw/4d2a+8e6b&z',
  webhookSecret: 'HOOKSECRET-7e1c9a3f5b2d',
  serveToken: 'SERVETOKEN-3a5c7e9b1d4f',
  secretInput: 'INPUTCODE-2b8d4f6a1c3e',
  secretHelper: 'PSATOKEN-5c3e7a9d2f4b',
  hookToken: 'CHATHOOK-8d1f3b5a7c9e',
} as const;

/** The forms a secret takes in text: as is, JSON-escaped, URL- and form-encoded, base64 (basic auth). */
function forms(secret: string): Record<string, string> {
  return {
    plain: secret,
    json: JSON.stringify(secret).slice(1, -1),
    uri: encodeURIComponent(secret),
    form: new URLSearchParams({ v: secret }).toString().slice(2),
    base64: Buffer.from(secret).toString('base64').replace(/=+$/, ''),
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

let emulator: RunningEmulator;
let smtp: SmtpTestServer;
let http: Server;
let httpBase: string;
const received: Array<{ url: string; headers: Record<string, unknown>; body: string }> = [];

beforeAll(async () => {
  emulator = await startEmulator({ data: await loadSandboxData(join(repoRoot, 'examples', 'sandbox', 'org.json')), apiKey: SECRETS.apiKey, seed: 3 });
  smtp = await startSmtpServer({ users: { bot: SECRETS.smtpPassword } });
  http = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: { ...req.headers }, body });
      res.setHeader('content-type', 'application/json');
      // The echo endpoint sends the secrets back, as careless APIs do.
      res.end(JSON.stringify(req.url === '/echo' ? { youSent: { authorization: req.headers.authorization, code: req.headers['x-access-code'], body } } : { ok: true }));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  const address = http.address();
  httpBase = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});
afterAll(async () => {
  await emulator.close();
  await smtp.close();
  await new Promise<void>((resolve) => http.close(() => resolve()));
});

describe('secrets', () => {
  it('appear in nothing a run, a sandbox run, the run reports or idflow serve write or print', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-secrets-'));
    const fixtures = join(repoRoot, 'test', 'reliability', 'fixtures');
    const template = join(fixtures, 'secrets.yaml');
    const configLines = (withSmtp: boolean) => [
      'connections:',
      '  jumpcloud:',
      `    base_url: ${JSON.stringify(emulator.url)}`,
      '    api_key: { env: JC_KEY }',
      ...(withSmtp ? ['  smtp:', `    url: ${JSON.stringify(smtp.url)}`, '    username: bot', '    password: { env: SMTP_PASSWORD }', '    from: "IT Offboarding <idflow@company.com>"'] : []),
      'secrets:',
      '  PSA_TOKEN: { env: PSA_TOKEN }',
      '  CHAT_HOOK_TOKEN: { env: CHAT_HOOK_TOKEN }',
      'serve:',
      '  token: { env: IDFLOW_SERVE_TOKEN }',
      '  sources:',
      '    hr: { secret: { env: HR_WEBHOOK_SECRET } }',
      '',
    ].join('\n');
    const config = join(dir, 'idflow.config.yaml');
    writeFileSync(config, configLines(true));
    const sandboxConfig = join(dir, 'sandbox.config.yaml');
    writeFileSync(sandboxConfig, configLines(false));
    const env = {
      IDFLOW_HOME: join(dir, 'store'), JUMPCLOUD_API_KEY: undefined, JUMPCLOUD_API_URL: undefined, JC_KEY: SECRETS.apiKey, SMTP_PASSWORD: SECRETS.smtpPassword,
      PSA_TOKEN: SECRETS.secretHelper, CHAT_HOOK_TOKEN: SECRETS.hookToken, HR_WEBHOOK_SECRET: SECRETS.webhookSecret, IDFLOW_SERVE_TOKEN: SECRETS.serveToken,
    };
    const printed: CliResult[] = [];
    const cli = async (args: string[], expectedCode = 0): Promise<CliResult> => {
      const result = await idflow(args, { cwd: dir, env });
      printed.push(result);
      expect(result.code, `idflow ${args.join(' ')}:\n${result.stderr}`).toBe(expectedCode);
      return result;
    };

    // 1. A run against the "real" organisation, sending email through SMTP.
    const inputs = ['--input', 'user_identifier=john.smith@company.com', '--input', `access_code=${SECRETS.secretInput}`, '--input', `hook_base=${httpBase}`];
    const run = await cli(['run', template, ...inputs, '--config', config, '--json']);
    expect(JSON.parse(run.stdout)).toEqual({ echoed: '[REDACTED]', secret: '[REDACTED]', api: { youSent: { authorization: expect.stringContaining('[REDACTED]'), code: '[REDACTED]', body: expect.stringContaining('[REDACTED]') } } });
    const runId = /idflow runs show (\S+)/.exec(run.stderr)?.[1] ?? readdirSync(join(dir, 'store', 'runs'))[0] as string;
    // 2. A plan of the same run, and the reports of the run.
    await cli(['plan', template, ...inputs, '--config', config]);
    await cli(['plan', template, ...inputs, '--config', config, '--json']);
    await cli(['runs', 'show', runId, '--config', config]);
    await cli(['runs', 'show', runId, '--json', '--config', config]);
    await cli(['audit', 'show', runId, '--config', config]);
    await cli(['audit', 'verify', runId, '--config', config]);
    // 3. The same in sandbox mode: the email goes to the outbox.
    await cli(['run', template, '--sandbox', '--input', 'user_identifier=priya.patel', '--input', `access_code=${SECRETS.secretInput}`, '--input', `hook_base=${httpBase}`, '--config', sandboxConfig]);
    // 4. idflow serve: a signed event starts the same template.
    const serve = spawnIdflow(['serve', '--port', '0', '--workflows', fixtures, '--config', config], { cwd: dir, env });
    try {
      await waitUntil(() => /listening on http/.test(serve.output().stderr) || serve.exitCode !== null, 20_000, 'idflow serve to listen');
      const base = /listening on (http:\/\/[^\s:]+:\d+)/.exec(serve.output().stderr)?.[1];
      expect(base, serve.output().stderr).toBeDefined();
      const raw = JSON.stringify({ id: 'evt-secrets-1', employee: { email: 'chris.taylor@company.com', status: 'terminated' }, access_code: 'not-a-secret-here', hook_base: httpBase });
      const answer = await fetch(`${base}/events/hr.employee.terminated`, { method: 'POST', headers: { 'content-type': 'application/json', ...signedEventHeaders(SECRETS.webhookSecret, 'hr.employee.terminated', raw) }, body: raw });
      expect(answer.status).toBe(202);
      const monitoring = { authorization: `Bearer ${SECRETS.serveToken}` };
      await waitUntil(() => readdirSync(join(dir, 'store', 'runs')).length >= 3, 20_000, 'the event\'s run to start');
      let status = '';
      const deadline = Date.now() + 30_000;
      while (status !== 'succeeded' && Date.now() < deadline) {
        const runs = (await (await fetch(`${base}/runs`, { headers: monitoring })).json()) as { runs?: Array<{ status: string; subject?: string }> } | Array<{ status: string; subject?: string }>;
        const list = Array.isArray(runs) ? runs : runs.runs ?? [];
        status = list.find((r) => r.subject === 'chris.taylor@company.com')?.status ?? '';
        if (status === 'failed') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status, serve.output().stderr).toBe('succeeded');
    } finally {
      serve.kill('SIGTERM');
      await serve.exited;
    }

    // The secrets were really used.
    expect(smtp.logins).toContainEqual({ username: 'bot', password: SECRETS.smtpPassword });
    expect(received.some((r) => r.headers['authorization'] === `Bearer ${SECRETS.secretHelper}` && r.headers['x-access-code'] === SECRETS.secretInput)).toBe(true);
    expect(received.some((r) => r.url === `/hooks/${SECRETS.hookToken}`)).toBe(true);
    expect(readdirSync(join(dir, 'store', 'outbox')).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
    expect(filesUnder(join(dir, 'store')).some((f) => f.includes('backups'))).toBe(true);

    // …and are nowhere to be found.
    const texts: Array<[string, string]> = [
      ...filesUnder(dir).filter((f) => f !== config && f !== sandboxConfig).map((f): [string, string] => [f, readFileSync(f, 'latin1')]),
      ...printed.flatMap((p, i): Array<[string, string]> => [[`stdout of command ${i}`, p.stdout], [`stderr of command ${i}`, p.stderr]]),
      ['stdout of idflow serve', serve.output().stdout],
      ['stderr of idflow serve', serve.output().stderr],
    ];
    const leaks: string[] = [];
    for (const [name, secret] of Object.entries(SECRETS)) {
      for (const [form, value] of Object.entries(forms(secret))) {
        for (const [where, text] of texts) if (text.includes(value)) leaks.push(`${name} (${form}) in ${where}`);
      }
    }
    expect(leaks).toEqual([]);
    // Redacted, not dropped: the places that held secrets say so.
    expect(readFileSync(join(dir, 'store', 'runs', runId, 'log.jsonl'), 'utf8')).toContain('[REDACTED]');
    expect(readFileSync(join(dir, 'store', 'runs', runId, 'journal.jsonl'), 'utf8')).toContain('[REDACTED]');
  }, 120_000);
});
