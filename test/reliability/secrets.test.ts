import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
        const runs = (await (await fetch(`${base}/api/runs`, { headers: monitoring })).json()) as { runs?: Array<{ status: string; subject?: string }> } | Array<{ status: string; subject?: string }>;
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

  it('of idflow serve itself (webhook secrets, monitoring token) are redacted when an event brings them back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-serve-secrets-'));
    const config = join(dir, 'idflow.config.yaml');
    writeFileSync(config, [
      'serve:',
      '  token: { env: IDFLOW_SERVE_TOKEN }',
      '  sources:',
      '    hr: { secret: { env: HR_WEBHOOK_SECRET } }',
      '    psa: { secret: { env: PSA_WEBHOOK_SECRET } }',
      '',
    ].join('\n'));
    const psaSecret = 'PSAHOOK-4b6d8f1a3c5e7';
    const env = { IDFLOW_HOME: join(dir, 'store'), HR_WEBHOOK_SECRET: SECRETS.webhookSecret, PSA_WEBHOOK_SECRET: psaSecret, IDFLOW_SERVE_TOKEN: SECRETS.serveToken };
    const serve = spawnIdflow(['serve', '--port', '0', '--workflows', join(repoRoot, 'test', 'reliability', 'fixtures', 'serve-secrets'), '--config', config], { cwd: dir, env });
    try {
      await waitUntil(() => /listening on http/.test(serve.output().stderr) || serve.exitCode !== null, 20_000, 'idflow serve to listen');
      const base = /listening on (http:\/\/[^\s:]+:\d+)/.exec(serve.output().stderr)?.[1];
      expect(base, serve.output().stderr).toBeDefined();
      // A careless sender pastes serve's secrets into the event (the other source's too).
      const note = `hr=${SECRETS.webhookSecret} token=${SECRETS.serveToken} psa=${psaSecret}`;
      const raw = JSON.stringify({ id: 'evt-serve-secrets-1', note, nested: { again: [SECRETS.serveToken] } });
      const answer = await fetch(`${base}/events/hr.note.posted`, { method: 'POST', headers: { 'content-type': 'application/json', ...signedEventHeaders(SECRETS.webhookSecret, 'hr.note.posted', raw) }, body: raw });
      expect(answer.status).toBe(202);
      const runId = ((await answer.json()) as { runs: Array<{ runId: string }> }).runs[0]?.runId as string;
      expect(runId).toBeDefined();
      await waitUntil(() => /run \S+ succeeded/.test(serve.output().stderr), 20_000, 'the run to succeed');
      const shown = await fetch(`${base}/api/runs/${runId}`, { headers: { authorization: `Bearer ${SECRETS.serveToken}` } });
      const shownText = await shown.text();
      expect(shown.status).toBe(200);
      serve.kill('SIGTERM');
      await serve.exited;
      const texts: Array<[string, string]> = [
        ...filesUnder(join(dir, 'store')).map((f): [string, string] => [f, readFileSync(f, 'latin1')]),
        ['stdout of idflow serve', serve.output().stdout], ['stderr of idflow serve', serve.output().stderr], ['GET /api/runs/{id}', shownText],
      ];
      const leaks: string[] = [];
      for (const [name, secret] of Object.entries({ webhookSecret: SECRETS.webhookSecret, serveToken: SECRETS.serveToken, psaSecret })) {
        for (const [form, value] of Object.entries(forms(secret))) for (const [where, text] of texts) if (text.includes(value)) leaks.push(`${name} (${form}) in ${where}`);
      }
      expect(leaks).toEqual([]);
      // Redacted where they were: the event's record, the run's log, journal and audit trail.
      const redactedIn = texts.filter(([, text]) => text.includes('hr=[REDACTED] token=[REDACTED] psa=[REDACTED]')).map(([where]) => where.replace(dir, ''));
      expect(redactedIn).toEqual(expect.arrayContaining([
        expect.stringMatching(/serve\/events\/hr\//),
        expect.stringMatching(new RegExp(`runs/${runId}/log\\.jsonl$`)),
        expect.stringMatching(new RegExp(`runs/${runId}/journal\\.jsonl$`)),
        expect.stringMatching(new RegExp(`runs/${runId}/audit\\.jsonl$`)),
      ]));
    } finally {
      if (serve.exitCode === null) serve.kill('SIGTERM');
      await serve.exited;
    }
  }, 60_000);

  it('are refused when too short or only white space: at start-up for the config\'s, when read for a template\'s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-weak-secrets-'));
    const config = join(dir, 'idflow.config.yaml');
    writeFileSync(config, [
      'connections:',
      '  smtp:',
      `    url: ${JSON.stringify(smtp.url)}`,
      '    password: { env: SMTP_PASSWORD }',
      'serve:',
      '  token: { env: IDFLOW_SERVE_TOKEN }',
      '  sources:',
      '    hr: { secret: { env: HR_WEBHOOK_SECRET } }',
      '',
    ].join('\n'));
    const hello = join(repoRoot, 'examples', 'hello.yaml');
    const strong = { IDFLOW_HOME: join(dir, 'store'), SMTP_PASSWORD: SECRETS.smtpPassword, IDFLOW_SERVE_TOKEN: SECRETS.serveToken, HR_WEBHOOK_SECRET: SECRETS.webhookSecret };
    // Each weak value is refused with its place in the config file, and nothing runs.
    for (const [variable, value, line, column, why] of [
      ['SMTP_PASSWORD', 'hunter2', 4, 15, 'is 7 characters long; a secret needs at least 16'],
      ['IDFLOW_SERVE_TOKEN', '    ', 6, 10, 'is only white space'],
      ['HR_WEBHOOK_SECRET', 'x', 8, 19, 'is 1 character long'],
    ] as const) {
      for (const args of [['run', hello, '--input', 'name=jane'], ['serve', '--port', '0', '--workflows', join(repoRoot, 'examples', 'serve')]]) {
        const result = await idflow([...args, '--config', config], { cwd: dir, env: { ...strong, [variable]: value } });
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toContain(`idflow.config.yaml:${line}:${column}: error: `);
        expect(result.stderr).toContain(`reads the environment variable ${variable}, whose value ${why}`);
        if (value.trim().length > 1) expect(result.stderr).not.toContain(value);
      }
    }
    expect(existsSync(join(dir, 'store', 'runs'))).toBe(false);

    // A secret a template reads by name gets the same check: the parameter holding it is checked
    // before the first step (exit 2, no run), so nothing is sent with it.
    const before = received.length;
    const run = await idflow(['run', join(repoRoot, 'test', 'reliability', 'fixtures', 'run-only', 'weak-secret.yaml'), '--input', `hook_base=${httpBase}`, '--config', config], { cwd: dir, env: { ...strong, SHORT_TOKEN: 'abc12345' } });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('step "call_api", parameter "headers"');
    expect(run.stderr).toContain('The secret "SHORT_TOKEN" is the environment variable SHORT_TOKEN, whose value is 8 characters long');
    expect(run.stderr).not.toContain('abc12345');
    expect(received.slice(before).filter((r) => r.url === '/weak')).toEqual([]);
  }, 60_000);

  it('appear in no form a template helper derives from them (upper, lower, trim, concat, json, nested)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-derived-secrets-'));
    const template = join(repoRoot, 'test', 'reliability', 'fixtures', 'run-only', 'derived-secrets.yaml');
    const config = join(dir, 'idflow.config.yaml');
    writeFileSync(config, 'secrets:\n  PSA_TOKEN: { env: PSA_TOKEN }\n');
    const env = { IDFLOW_HOME: join(dir, 'store'), PSA_TOKEN: SECRETS.secretHelper };
    const run = await idflow(['run', template, '--input', 'who=jane', '--config', config, '--json'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ shouted: '[REDACTED]', logged: '[REDACTED]' });
    const runId = readdirSync(join(dir, 'store', 'runs'))[0] as string;
    const shown = await idflow(['runs', 'show', runId, '--json', '--config', config], { cwd: dir, env });
    const audit = await idflow(['audit', 'show', runId, '--config', config], { cwd: dir, env });
    const plan = await idflow(['plan', template, '--input', 'who=jane', '--config', config], { cwd: dir, env });
    const planJson = await idflow(['plan', template, '--input', 'who=jane', '--config', config, '--json'], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(planJson.code, planJson.stderr).toBe(0);
    const derived = [SECRETS.secretHelper, SECRETS.secretHelper.toUpperCase(), SECRETS.secretHelper.toLowerCase(), `Bearer ${SECRETS.secretHelper.toLowerCase()}`];
    const texts: Array<[string, string]> = [
      ...filesUnder(join(dir, 'store')).map((f): [string, string] => [f, readFileSync(f, 'latin1')]),
      ['stdout of run', run.stdout], ['stderr of run', run.stderr], ['runs show', shown.stdout + shown.stderr], ['audit show', audit.stdout + audit.stderr],
      ['plan', plan.stdout + plan.stderr], ['plan --json', planJson.stdout + planJson.stderr],
    ];
    const leaks: string[] = [];
    for (const value of derived) {
      for (const [form, text] of Object.entries(forms(value))) for (const [where, content] of texts) if (content.includes(text)) leaks.push(`${value} (${form}) in ${where}`);
    }
    expect(leaks).toEqual([]);
    expect(readFileSync(join(dir, 'store', 'runs', runId, 'log.jsonl'), 'utf8')).toContain('[REDACTED]');
    expect(texts.some(([name, text]) => name.endsWith('audit.jsonl') && text.includes('[REDACTED]'))).toBe(true);
  }, 60_000);
});
