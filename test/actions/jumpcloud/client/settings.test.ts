import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../../engine/errors/index.js';
import { resolveJumpCloudSettings } from '../../../../actions/jumpcloud/client/settings.js';

describe('resolveJumpCloudSettings', () => {
  it('defaults to the US console and takes the key from JUMPCLOUD_API_KEY', () => {
    expect(resolveJumpCloudSettings(undefined, { JUMPCLOUD_API_KEY: 'k-env' })).toEqual({ baseUrl: 'https://console.jumpcloud.com', apiKey: 'k-env' });
  });

  it("prefers the connection's api_key over JUMPCLOUD_API_KEY", () => {
    expect(resolveJumpCloudSettings({ api_key: 'k-conn' }, { JUMPCLOUD_API_KEY: 'k-env' }).apiKey).toBe('k-conn');
  });

  it('takes x-org-id from the jumpcloud_org_id variable, then the connection, then JUMPCLOUD_ORG_ID', () => {
    const env = { JUMPCLOUD_API_KEY: 'k', JUMPCLOUD_ORG_ID: 'org-env' };
    expect(resolveJumpCloudSettings({ org_id: 'org-conn' }, env, 'org-var').orgId).toBe('org-var');
    expect(resolveJumpCloudSettings({ org_id: 'org-conn' }, env).orgId).toBe('org-conn');
    expect(resolveJumpCloudSettings({}, env).orgId).toBe('org-env');
    expect(resolveJumpCloudSettings({}, { JUMPCLOUD_API_KEY: 'k' })).not.toHaveProperty('orgId');
  });

  it('treats empty strings as unset, so an empty variable does not shadow the config', () => {
    const settings = resolveJumpCloudSettings({ org_id: 'org-conn', base_url: 'https://console.eu.jumpcloud.com' }, { JUMPCLOUD_API_KEY: 'k', JUMPCLOUD_API_URL: '' }, '  ');
    expect(settings).toEqual({ baseUrl: 'https://console.eu.jumpcloud.com', apiKey: 'k', orgId: 'org-conn' });
  });

  it('takes the base URL from JUMPCLOUD_API_URL first, then base_url, then region', () => {
    const env = { JUMPCLOUD_API_KEY: 'k', JUMPCLOUD_API_URL: 'http://127.0.0.1:4010/' };
    expect(resolveJumpCloudSettings({ base_url: 'https://x.example', region: 'eu' }, env).baseUrl).toBe('http://127.0.0.1:4010');
    expect(resolveJumpCloudSettings({ base_url: 'https://x.example/', region: 'eu' }, { JUMPCLOUD_API_KEY: 'k' }).baseUrl).toBe('https://x.example');
  });

  it.each([
    ['us', 'https://console.jumpcloud.com'],
    ['eu', 'https://console.eu.jumpcloud.com'],
    ['IN', 'https://console.in.jumpcloud.com'],
  ])('maps region %s to %s', (region, url) => {
    expect(resolveJumpCloudSettings({ region }, { JUMPCLOUD_API_KEY: 'k' }).baseUrl).toBe(url);
  });

  it('rejects an unknown region, listing the valid ones', () => {
    const error = catchError(() => resolveJumpCloudSettings({ region: 'europe' }, { JUMPCLOUD_API_KEY: 'k' }));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toBe('connections.jumpcloud.region "europe" is not a JumpCloud region; use one of us, eu, in. Did you mean "eu"?');
  });

  it('fails clearly when no API key is configured', () => {
    const error = catchError(() => resolveJumpCloudSettings({ org_id: 'o' }, {}));
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'JUMPCLOUD_NO_API_KEY', retryable: false });
    expect(error.message).toContain('set the JUMPCLOUD_API_KEY environment variable, or `connections.jumpcloud.api_key: { env: NAME }`');
  });

  it('names the connection the settings came from', () => {
    expect(catchError(() => resolveJumpCloudSettings({ region: 'mars' }, { JUMPCLOUD_API_KEY: 'k' }, undefined, 'jc_eu')).message).toMatch(/^connections\.jc_eu\.region "mars"/);
    expect(catchError(() => resolveJumpCloudSettings({}, {}, undefined, 'jc_eu')).message).toContain('`connections.jc_eu.api_key: { env: NAME }`');
    expect(catchError(() => resolveJumpCloudSettings({ base_url: 42 }, { JUMPCLOUD_API_KEY: 'k' }, undefined, 'jc_eu')).message).toBe('connections.jc_eu.base_url must be a string, got number');
  });

  it('rejects a non-string setting without echoing its value', () => {
    const error = catchError(() => resolveJumpCloudSettings({ api_key: { env: 'JC_KEY', value: 'secret-value' } }, {}));
    expect(error.message).toBe('connections.jumpcloud.api_key must be a string, got object');
    expect(error.message).not.toContain('secret-value');
  });
});

function catchError(fn: () => unknown): PermanentError {
  try {
    fn();
  } catch (error) {
    return error as PermanentError;
  }
  throw new Error('expected an error');
}
