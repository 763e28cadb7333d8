import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../engine/errors/action-errors.js';
import { isSecretRef, resolveConnections, resolveSecretRef, resolveSecrets } from '../../../engine/config/secret-refs.js';
import { configSecretRefs, parseConfig, weakConfigSecrets, weakSecretReason } from '../../../engine/config/index.js';

const connections = {
  jumpcloud: { base_url: 'https://console.jumpcloud.com', api_key: { env: 'JC_KEY' }, headers: { 'x-extra': { env: 'JC_EXTRA' } } },
  smtp: { url: 'smtp://mail', password: { env: 'SMTP_PASSWORD' } },
};

describe('secret references', () => {
  it('recognises { env: NAME } and nothing else', () => {
    expect(isSecretRef({ env: 'A' })).toBe(true);
    expect(isSecretRef({ env: 'A', other: 1 })).toBe(false);
    expect(isSecretRef({ env: 1 })).toBe(false);
    expect(isSecretRef('A')).toBe(false);
  });

  it('resolves a reference, or names the variable and what needs it', () => {
    expect(resolveSecretRef({ env: 'A' }, { A: 'value-0123456789ab' }, 'x')).toBe('value-0123456789ab');
    expect(() => resolveSecretRef({ env: 'A' }, {}, 'connection "jumpcloud" (api_key)')).toThrow(
      'connection "jumpcloud" (api_key) needs the environment variable A, which is not set; set it before running idflow',
    );
    expect(() => resolveSecretRef({ env: 'A' }, { A: '' }, 'x')).toThrow(/which is empty/);
  });
});

describe('resolveConnections', () => {
  it('resolves references at any depth and reports every available secret at once', () => {
    const secrets: string[] = [];
    const resolver = resolveConnections({ connections }, { JC_KEY: 'jc-secret-0123456789', JC_EXTRA: 'extra-secret-0123456789' }, (value) => secrets.push(value));
    expect(secrets.sort()).toEqual(['extra-secret-0123456789', 'jc-secret-0123456789']);
    expect(resolver.get('jumpcloud')).toEqual({ base_url: 'https://console.jumpcloud.com', api_key: 'jc-secret-0123456789', headers: { 'x-extra': 'extra-secret-0123456789' } });
    expect(resolver.get('nope')).toBeUndefined();
  });

  it('raises a missing variable only when its connection is used', () => {
    const resolver = resolveConnections({ connections }, { JC_KEY: 'k-0123456789abcdef', JC_EXTRA: 'e-0123456789abcdef' }, () => {});
    expect(resolver.get('jumpcloud')).toBeDefined();
    let error: unknown;
    try {
      resolver.get('smtp');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'SECRET_MISSING', message: 'connection "smtp" (password) needs the environment variable SMTP_PASSWORD, which is not set; set it before running idflow' });
  });
});

describe('resolveSecrets', () => {
  it('reads the config secrets, then the environment, and reports what it returns', () => {
    const seen: string[] = [];
    const secrets = resolveSecrets({ secrets: { PSA_TOKEN: { env: 'PSA_ENV' } } }, { PSA_ENV: 'psa-token-0123456789', OTHER: 'other-secret-0123456789' }, (value) => seen.push(value));
    expect(secrets.get('PSA_TOKEN')).toBe('psa-token-0123456789');
    expect(secrets.get('OTHER')).toBe('other-secret-0123456789');
    expect(secrets.get('MISSING')).toBeUndefined();
    expect(seen).toContain('psa-token-0123456789');
    expect(seen).toContain('other-secret-0123456789');
    expect(() => secrets.require('MISSING')).toThrow('The secret "MISSING" is needed but not configured: it is not under secrets: in the config file and no environment variable MISSING is set');
  });
});

describe('secrets too weak to use (issue 10, case 6)', () => {
  it.each([
    ['a short value', 'short-secret', 'is 12 characters long; a secret needs at least 16 (a short secret is easy to guess and cannot be redacted safely from logs and records)'],
    ['one character', 'x', 'is 1 character long; a secret needs at least 16'],
    ['white space only', '   \t  ', 'is only white space'],
    ['15 characters inside spaces', '  0123456789abcde  ', 'is 15 characters long'],
  ])('refuses %s, saying why and never quoting it', (_name, value, reason) => {
    expect(weakSecretReason(value)).toContain(reason);
    const error = catchError(() => resolveSecretRef({ env: 'A' }, { A: value }, 'connection "smtp" (password)'));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'SECRET_WEAK' });
    expect(error.message).toContain(`connection "smtp" (password) reads the environment variable A, whose value ${reason}`);
    if (value.trim() !== '') expect(error.message).not.toContain(value.trim());
  });

  it('accepts 16 characters', () => {
    expect(weakSecretReason('0123456789abcdef')).toBeUndefined();
    expect(resolveSecretRef({ env: 'A' }, { A: '0123456789abcdef' }, 'x')).toBe('0123456789abcdef');
  });

  it('refuses a weak secret a template or plugin reads at run time, still reporting it for redaction', () => {
    const seen: string[] = [];
    const secrets = resolveSecrets({ secrets: { PSA_TOKEN: { env: 'PSA_ENV' } } }, { PSA_ENV: 'psa-pw', SHORT: 'tiny-one' }, (value) => seen.push(value));
    expect(() => secrets.get('PSA_TOKEN')).toThrow('The secret "PSA_TOKEN" reads the environment variable PSA_ENV, whose value is 6 characters long');
    expect(() => secrets.require('SHORT')).toThrow('The secret "SHORT" is the environment variable SHORT, whose value is 8 characters long');
    expect(seen).toEqual(expect.arrayContaining(['psa-pw', 'tiny-one']));
  });

  it('finds every secret reference of a config, with its place', () => {
    const loaded = parseConfig([
      'connections:',
      '  jumpcloud: { api_key: { env: JC } }',
      '  smtp: { url: "smtp://x", password: { env: SMTP } }',
      'secrets:',
      '  PSA: { env: PSA }',
      'serve:',
      '  token: { env: TOKEN }',
      '  sources:',
      '    hr: { secret: { env: HR } }',
      '',
    ].join('\n'), 'c.yaml', '/tmp');
    expect(loaded.problems).toEqual([]);
    expect(configSecretRefs(loaded.config).map((r) => `${r.pointer}=${r.ref.env}`)).toEqual([
      '/connections/jumpcloud/api_key=JC', '/connections/smtp/password=SMTP', '/secrets/PSA=PSA', '/serve/token=TOKEN', '/serve/sources/hr/secret=HR',
    ]);
    const env = { JC: 'jumpcloud-key-0123456789', SMTP: 'pw', PSA: '                ', TOKEN: 'serve-token-0123456789', HR: 'hr-secret' };
    const problems = weakConfigSecrets(loaded.config, env, { file: 'c.yaml', locate: (pointer) => loaded.locate?.(pointer) });
    expect(problems.map((p) => [p.file, p.line, p.column, p.code, p.message])).toEqual([
      ['c.yaml', 3, 38, 'weak-secret', expect.stringContaining('the secret at connections.smtp.password reads the environment variable SMTP, whose value is 2 characters long')],
      ['c.yaml', 5, 8, 'weak-secret', expect.stringContaining('the secret at secrets.PSA reads the environment variable PSA, whose value is only white space')],
      ['c.yaml', 9, 19, 'weak-secret', expect.stringContaining('the secret at serve.sources.hr.secret reads the environment variable HR, whose value is 9 characters long')],
    ]);
    expect(problems[0]?.suggestion).toBe('Set SMTP to a generated value of at least 16 characters, e.g. $(openssl rand -hex 24)');
  });
});

function catchError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
