import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../engine/config/load-config.js';
import { resolveServeSettings, SERVE_DEFAULTS } from '../../../engine/serve/serve-settings.js';
import { NO_OPENSSL, throwawayCertificate } from './support/tls-files.js';

describe('resolveServeSettings', () => {
  it('fills the defaults when the config has no serve: section', () => {
    const { settings, problems } = resolveServeSettings(undefined, {}, {}, { file: 'c.yaml' });
    expect(problems).toEqual([]);
    expect(settings).toEqual({ ...SERVE_DEFAULTS, token: undefined, apiTokens: [], trustProxy: [], sources: new Map(), tls: undefined, console: { users: new Map(), session: undefined, oidc: undefined, unavailable: expect.stringContaining('serve.console.session') } });
  });

  it('reads durations, secrets from the environment, and lets the command line win', () => {
    const loaded = parseConfig('serve:\n  host: 0.0.0.0\n  port: 9000\n  token: { env: TOKEN }\n  sources: { hr: { secret: { env: HR } } }\n  signature_tolerance: 2m\n  shutdown_grace: 1500\n  timer_interval: 5s\n  missed_schedule_window: 0\n  event_retention: 48h\n', 'c.yaml', '/tmp');
    expect(loaded.problems).toEqual([]);
    const { settings, problems } = resolveServeSettings(loaded.config.serve, { TOKEN: 'tok-123', HR: 'hr-secret' }, { port: '0', host: '127.0.0.1' }, { file: 'c.yaml' });
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({ host: '127.0.0.1', port: 0, token: 'tok-123', signatureToleranceMs: 120_000, shutdownGraceMs: 1500, timerIntervalMs: 5000, missedScheduleWindowMs: 0, eventRetentionMs: 48 * 3_600_000 });
    expect(settings.sources.get('hr')).toEqual({ secret: 'hr-secret' });
  });

  it('names every secret whose variable is not set, at its place in the config, and a bad --port', () => {
    const source = 'serve:\n  token: { env: TOKEN }\n  sources:\n    hr: { secret: { env: HR } }\n';
    const loaded = parseConfig(source, 'c.yaml', '/tmp');
    const { problems } = resolveServeSettings(loaded.config.serve, { HR: '' }, { port: 'eighty' }, { file: 'c.yaml', locate: (pointer) => loaded.locate?.(pointer) });
    expect(problems.map((p) => [p.file, p.line, p.code, p.message])).toEqual([
      ['--port', 0, 'invalid-port', '--port must be a TCP port from 0 to 65535, got "eighty"'],
      ['c.yaml', 2, 'secret-missing', 'serve.token reads the environment variable TOKEN, which is not set'],
      ['c.yaml', 4, 'secret-missing', 'the shared secret of source "hr" reads the environment variable HR, which is empty'],
    ]);
  });

  it('resumes interrupted runs at start-up unless serve.recover says report; any other value is refused where it stands', () => {
    expect(resolveServeSettings(undefined, {}, {}, { file: 'c.yaml' }).settings.recover).toBe('resume');
    const report = parseConfig('serve:\n  recover: report\n', 'c.yaml', '/tmp');
    expect(report.problems).toEqual([]);
    expect(resolveServeSettings(report.config.serve, {}, {}, { file: 'c.yaml' }).settings.recover).toBe('report');
    const wrong = parseConfig('serve:\n  recover: maybe\n', 'c.yaml', '/tmp');
    expect(wrong.problems).toEqual([expect.objectContaining({ file: 'c.yaml', line: 2, path: '/serve/recover', severity: 'error' })]);
  });

  it('accepts the example serve config', () => {
    const loaded = parseConfig(readFileSync('examples/serve/idflow.config.yaml', 'utf8'), 'examples/serve/idflow.config.yaml', 'examples/serve');
    expect(loaded.problems).toEqual([]);
    expect(loaded.config.event_sources).toEqual([{ type: 'jumpcloud.directory_insights', connection: 'jumpcloud', interval: '30s', services: ['directory'], start: 'now' }]);
  });

  it('reads the connection caps', () => {
    const loaded = parseConfig('serve:\n  max_connections: 50\n  max_unauthenticated_connections: 10\n', 'c.yaml', '/tmp');
    expect(loaded.problems).toEqual([]);
    expect(resolveServeSettings(loaded.config.serve, {}, {}, { file: 'c.yaml' }).settings).toMatchObject({ maxConnections: 50, maxUnauthenticatedConnections: 10 });
    expect(parseConfig('serve:\n  max_connections: 0\n', 'c.yaml', '/tmp').problems.map((p) => p.path)).toEqual(['/serve/max_connections']);
  });

  it.skipIf(NO_OPENSSL !== undefined)('reads serve.tls relative to the config file, and refuses a key of another certificate or a missing file, naming the entry', () => {
    const files = throwawayCertificate();
    writeFileSync(join(files.dir, 'not-pem.txt'), 'hello');
    const resolveWith = (tls: string) => {
      const loaded = parseConfig(`serve:\n  tls: ${tls}\n`, join(files.dir, 'c.yaml'), files.dir);
      expect(loaded.problems).toEqual([]);
      return resolveServeSettings(loaded.config.serve, {}, {}, { file: 'c.yaml', baseDir: files.dir, locate: (pointer) => loaded.locate?.(pointer) });
    };
    const good = resolveWith('{ cert: serve.crt, key: serve.key }');
    expect(good.problems).toEqual([]);
    expect(good.settings.tls).toMatchObject({ certFile: files.cert, keyFile: files.key });
    expect(good.settings.tls?.cert.toString()).toContain('BEGIN CERTIFICATE');
    const mismatched = resolveWith('{ cert: serve.crt, key: other.key }');
    expect(mismatched.settings.tls).toBeUndefined();
    expect(mismatched.problems.map((p) => [p.line, p.code, p.message])).toEqual([[2, 'tls-invalid', `serve.tls: the private key ${files.otherKey} does not belong to the certificate ${files.cert}`]]);
    const missing = resolveWith('{ cert: nope.crt, key: serve.key }');
    expect(missing.problems.map((p) => [p.code, p.path, p.message])).toEqual([['tls-unreadable', '/serve/tls/cert', `serve.tls.cert: cannot read the certificate ${join(files.dir, 'nope.crt')}: there is no such file`]]);
    const notPem = resolveWith('{ cert: not-pem.txt, key: serve.key }');
    expect(notPem.problems.map((p) => p.code)).toEqual(['tls-invalid']);
    expect(notPem.problems[0]?.message).toContain('are not a PEM certificate and private key');
  });
});

describe('resolveServeSettings: API tokens and trusted proxies', () => {
  const TOKENS_ENV = { READ: 'reader-token-0123456789', CI: 'ci-token-0123456789abc', ADMIN: 'admin-token-0123456789' };

  it('reads serve.api_tokens with their roles, and serve.token as an admin named serve.token', () => {
    const loaded = parseConfig('serve:\n  token: { env: ADMIN }\n  api_tokens:\n    - { name: dashboard, role: viewer, token: { env: READ } }\n    - { name: ci-offboarding, role: operator, token: { env: CI } }\n  trust_proxy: [127.0.0.1, 10.0.0.0/8, "fd00::/8"]\n', 'c.yaml', '/tmp');
    expect(loaded.problems).toEqual([]);
    const { settings, problems } = resolveServeSettings(loaded.config.serve, TOKENS_ENV, {}, { file: 'c.yaml' });
    expect(problems).toEqual([]);
    expect(settings.apiTokens).toEqual([
      { name: 'dashboard', role: 'viewer', token: TOKENS_ENV.READ },
      { name: 'ci-offboarding', role: 'operator', token: TOKENS_ENV.CI },
      { name: 'serve.token', role: 'admin', token: TOKENS_ENV.ADMIN },
    ]);
    expect(settings.trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
  });

  it('refuses a role that is none, a token written in the config, a missing name, each where it stands', () => {
    const loaded = parseConfig('serve:\n  api_tokens:\n    - { name: dashboard, role: reader, token: { env: READ } }\n    - { name: ci, role: operator, token: ci-token-0123456789abc }\n    - { role: admin, token: { env: ADMIN } }\n', 'c.yaml', '/tmp');
    // The literal token is refused twice: as not a { env: NAME } reference and as a secret written as text.
    expect([...new Set(loaded.problems.map((p) => `${p.line} ${p.path}`))].map((text) => [Number(text.split(' ')[0]), text.split(' ')[1]])).toEqual([
      [3, '/serve/api_tokens/0/role'],
      [4, '/serve/api_tokens/1/token'],
      [5, '/serve/api_tokens/2'],
    ]);
  });

  it('refuses a name used twice, one token under two names, an unset variable and a proxy that is no address, naming each', () => {
    const source = 'serve:\n  token: { env: ADMIN }\n  api_tokens:\n    - { name: dashboard, role: viewer, token: { env: READ } }\n    - { name: dashboard, role: operator, token: { env: CI } }\n    - { name: ci, role: operator, token: { env: ADMIN } }\n    - { name: later, role: viewer, token: { env: UNSET } }\n  trust_proxy: [proxy.example.com, 10.0.0.0/33]\n';
    const loaded = parseConfig(source, 'c.yaml', '/tmp');
    expect(loaded.problems).toEqual([]);
    const { problems } = resolveServeSettings(loaded.config.serve, TOKENS_ENV, {}, { file: 'c.yaml', locate: (pointer) => loaded.locate?.(pointer) });
    expect(problems.map((p) => [p.line, p.code, p.message])).toEqual([
      [5, 'duplicate-api-token', 'serve.api_tokens[1]: the name "dashboard" is already the name of serve.api_tokens[0]; each token needs its own name (it is recorded as who acted)'],
      [7, 'secret-missing', 'the API token "later" reads the environment variable UNSET, which is not set'],
      [2, 'duplicate-api-token', 'serve.token has the same token as serve.api_tokens[2]; give each name its own token (a shared one would make who acted a guess)'],
      [8, 'invalid-proxy', 'serve.trust_proxy[0]: "proxy.example.com" is not an IP address or a range like 10.0.0.0/8 or fd00::/8'],
      [8, 'invalid-proxy', 'serve.trust_proxy[1]: "10.0.0.0/33" is not an IP address or a range like 10.0.0.0/8 or fd00::/8'],
    ]);
  });
});
