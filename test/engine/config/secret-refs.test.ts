import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../engine/errors/action-errors.js';
import { isSecretRef, resolveConnections, resolveSecretRef, resolveSecrets } from '../../../engine/config/secret-refs.js';

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
    expect(resolveSecretRef({ env: 'A' }, { A: 'value' }, 'x')).toBe('value');
    expect(() => resolveSecretRef({ env: 'A' }, {}, 'connection "jumpcloud" (api_key)')).toThrow(
      'connection "jumpcloud" (api_key) needs the environment variable A, which is not set; set it before running idflow',
    );
    expect(() => resolveSecretRef({ env: 'A' }, { A: '' }, 'x')).toThrow(/which is empty/);
  });
});

describe('resolveConnections', () => {
  it('resolves references at any depth and reports every available secret at once', () => {
    const secrets: string[] = [];
    const resolver = resolveConnections({ connections }, { JC_KEY: 'jc-secret', JC_EXTRA: 'extra-secret' }, (value) => secrets.push(value));
    expect(secrets.sort()).toEqual(['extra-secret', 'jc-secret']);
    expect(resolver.get('jumpcloud')).toEqual({ base_url: 'https://console.jumpcloud.com', api_key: 'jc-secret', headers: { 'x-extra': 'extra-secret' } });
    expect(resolver.get('nope')).toBeUndefined();
  });

  it('raises a missing variable only when its connection is used', () => {
    const resolver = resolveConnections({ connections }, { JC_KEY: 'k', JC_EXTRA: 'e' }, () => {});
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
    const secrets = resolveSecrets({ secrets: { PSA_TOKEN: { env: 'PSA_ENV' } } }, { PSA_ENV: 'psa', OTHER: 'other' }, (value) => seen.push(value));
    expect(secrets.get('PSA_TOKEN')).toBe('psa');
    expect(secrets.get('OTHER')).toBe('other');
    expect(secrets.get('MISSING')).toBeUndefined();
    expect(seen).toContain('psa');
    expect(seen).toContain('other');
    expect(() => secrets.require('MISSING')).toThrow('The secret "MISSING" is needed but not configured: it is not under secrets: in the config file and no environment variable MISSING is set');
  });
});
