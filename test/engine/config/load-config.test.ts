import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig, loadConfig, parseConfig } from '../../../engine/config/load-config.js';
import { resolveVars } from '../../../engine/inputs/resolve-inputs.js';

const example = `vars:
  jumpcloud_org_id: "5f1b2c3d4e5f6a7b8c9d0e1f"
  jumpcloud_removal_mode: disable
  it_team_emails: [it-team@company.com]
connections:
  jumpcloud:
    base_url: https://console.jumpcloud.com
    org_id: "5f1b2c3d4e5f6a7b8c9d0e1f"
    api_key: { env: JUMPCLOUD_API_KEY }
    protected_accounts: [admin@company.com]
  smtp:
    url: smtp://mail.company.com:587
    username: idflow
    password: { env: SMTP_PASSWORD }
    from: idflow@company.com
secrets:
  PSA_TOKEN: { env: PSA_TOKEN }
plugins: [./plugins/psa-note.mjs]
store: ./.idflow
run: { initiated_by: it-admin@company.com, blast_radius: 10 }
`;

const problems = (source: string) => parseConfig(source, 'idflow.config.yaml', '/etc/idflow').problems.map((p) => [p.line, p.column, p.code, p.message, p.suggestion]);

describe('loadConfig', () => {
  it('reads idflow.config.yaml from the working directory and resolves paths against its folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-config-'));
    writeFileSync(join(dir, 'idflow.config.yaml'), example);
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.problems).toEqual([]);
    expect(loaded.file).toBe('idflow.config.yaml');
    expect(loaded.config).toEqual({
      vars: { jumpcloud_org_id: '5f1b2c3d4e5f6a7b8c9d0e1f', jumpcloud_removal_mode: 'disable', it_team_emails: ['it-team@company.com'] },
      connections: {
        jumpcloud: { base_url: 'https://console.jumpcloud.com', org_id: '5f1b2c3d4e5f6a7b8c9d0e1f', api_key: { env: 'JUMPCLOUD_API_KEY' }, protected_accounts: ['admin@company.com'] },
        smtp: { url: 'smtp://mail.company.com:587', username: 'idflow', password: { env: 'SMTP_PASSWORD' }, from: 'idflow@company.com' },
      },
      secrets: { PSA_TOKEN: { env: 'PSA_TOKEN' } },
      plugins: ['./plugins/psa-note.mjs'],
      baseDir: dir,
      store: join(dir, '.idflow'),
      run: { initiated_by: 'it-admin@company.com', blast_radius: 10 },
    });
  });

  it('uses the defaults when there is no config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-config-'));
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded).toMatchObject({ problems: [], config: defaultConfig(dir) });
    expect(loaded.file).toBeUndefined();
    expect(loaded.config.store).toBe(join(dir, '.idflow'));
  });

  it('requires a file named with --config to exist, relative to the working directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-config-'));
    mkdirSync(join(dir, 'conf'));
    writeFileSync(join(dir, 'conf', 'prod.yaml'), 'store: ../runs\n');
    const loaded = await loadConfig({ cwd: dir, file: 'conf/prod.yaml' });
    expect(loaded.problems).toEqual([]);
    expect(loaded.config.store).toBe(join(dir, 'runs'));
    const missing = await loadConfig({ cwd: dir, file: 'conf/missing.yaml' });
    expect(missing.problems).toEqual([expect.objectContaining({ file: 'conf/missing.yaml', line: 0, code: 'config-not-found', message: `the config file ${join(dir, 'conf', 'missing.yaml')} does not exist` })]);
    const folder = await loadConfig({ cwd: dir, file: 'conf' });
    expect(folder.problems).toEqual([{ file: 'conf', line: 0, column: 0, path: '', code: 'file-unreadable', severity: 'error', message: 'this is a folder, not a config file' }]);
  });

  it('points resolveVars problems at the config file', () => {
    const loaded = parseConfig('vars:\n  retention: thirty\n', 'idflow.config.yaml', '/etc/idflow');
    const resolved = resolveVars({ retention: { type: 'integer' } }, loaded.config.vars, loaded.varsOrigin);
    expect(resolved.problems[0]).toMatchObject({ file: 'idflow.config.yaml', line: 2, column: 14, path: '/retention' });
  });
});

describe('config problems, positioned like template problems', () => {
  it('an empty file is an empty config', () => {
    expect(problems('')).toEqual([]);
  });

  it.each([
    ['an unknown key with a suggestion', 'connectons: {}\n', [[1, 1, 'unknown-key', 'unknown key "connectons"', 'Did you mean "connections"?']]],
    ['a wrong type', 'plugins: ./p.mjs\n', [[1, 10, 'wrong-type', '"plugins" must be a list of plugin paths or package names, got "./p.mjs"', undefined]]],
    ['a negative blast radius', 'run: { blast_radius: -1 }\n', [[1, 22, 'out-of-range', '"blast_radius" must be at least 0; got -1', undefined]]],
    ['a malformed secret reference', 'connections:\n  jc: { api_key: { env: 1, default: x } }\n', [
      [2, 25, 'wrong-type', '"env" must be an environment variable name like JUMPCLOUD_API_KEY, got 1', undefined],
      [2, 28, 'unknown-key', 'unknown key "default"', 'Allowed keys here: "env"'],
    ]],
    ['a secret that is not a reference', 'secrets:\n  PSA_TOKEN: abc123\n', [[2, 14, 'wrong-type', '"PSA_TOKEN" must be a reference to an environment variable like { env: JUMPCLOUD_API_KEY }, got "abc123"', undefined]]],
  ])('%s', (_name, source, expected) => {
    expect(problems(source)).toEqual(expected);
  });

  it('refuses secrets written as plain text, saying how to reference them', () => {
    const source = 'vars:\n  psa_token: abc\nconnections:\n  jumpcloud:\n    api_key: k-123\n    token_url: https://auth/token\n  smtp:\n    password: hunter2\n';
    expect(problems(source)).toEqual([
      [2, 14, 'literal-secret', '"psa_token" looks like a secret written into the config file; secrets must not be stored in files', 'Move it under secrets: as psa_token: { env: PSA_TOKEN } and set the environment variable PSA_TOKEN'],
      [5, 14, 'literal-secret', '"api_key" looks like a secret written into the config file; secrets must not be stored in files', 'Write api_key: { env: API_KEY } and set the environment variable API_KEY'],
      [8, 15, 'literal-secret', '"password" looks like a secret written into the config file; secrets must not be stored in files', 'Write password: { env: PASSWORD } and set the environment variable PASSWORD'],
    ]);
  });

  it('checks what is under a misspelt key as the key it most likely means', () => {
    expect(problems('conections:\n  smtp: { password: hunter2 }\nrun: { blast_radus: -1 }\n')).toEqual([
      [1, 1, 'unknown-key', 'unknown key "conections"', 'Did you mean "connections"?'],
      [2, 21, 'literal-secret', '"password" looks like a secret written into the config file; secrets must not be stored in files', 'Write password: { env: PASSWORD } and set the environment variable PASSWORD'],
      [3, 8, 'unknown-key', 'unknown key "blast_radus"', 'Did you mean "blast_radius"?'],
      [3, 21, 'out-of-range', '"blast_radus" must be at least 0; got -1', undefined],
    ]);
  });

  it('checks serve and event_sources (their schema belongs to idflow serve)', () => {
    expect(problems('serve: { port: 8080, concurrency: 2 }\nevent_sources: [{ type: jumpcloud.directory_insights, interval: 30s }]\n')).toEqual([]);
    expect(problems('serve: { port: 8080, anything: [1] }\n').map((p) => p[2])).toEqual(['unknown-key']);
  });

  it('returns the defaults when the file has errors', () => {
    const loaded = parseConfig('store: 5\n', 'c.yaml', '/etc/idflow');
    expect(loaded.config).toEqual(defaultConfig('/etc/idflow'));
  });
});

describe('examples/idflow.config.yaml', () => {
  it('is a valid config', async () => {
    const loaded = await loadConfig({ cwd: '.', file: 'examples/idflow.config.yaml' });
    expect(loaded.problems).toEqual([]);
    expect(loaded.config.plugins).toEqual(['./plugins/psa-ticket-note.mjs']);
    expect(loaded.config.store).toBe(join(process.cwd(), 'examples', '.idflow'));
  });
});
