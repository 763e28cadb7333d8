import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../engine/config/load-config.js';
import { resolveConsoleAuthSettings } from '../../../../engine/serve/auth/console-auth-settings.js';
import { hashPassword } from '../../../../engine/serve/auth/password-hash.js';

const SECRET = 'a-session-key-of-at-least-32-characters!';

function load(yaml: string) {
  const loaded = parseConfig(yaml, 'c.yaml', '/tmp');
  return { loaded, resolve: (env: Record<string, string>) => resolveConsoleAuthSettings(loaded.config.serve?.console, env, { file: 'c.yaml', locate: (pointer) => loaded.locate?.(pointer) }) };
}

describe('serve.console settings', () => {
  it('read users, the session key and single sign-on, filling the defaults', async () => {
    const hash = await hashPassword('a long password');
    const { loaded, resolve } = load([
      'serve:',
      '  console:',
      '    users:',
      `      - { name: alice, role: operator, password_hash: "${hash}" }`,
      '    session: { secret: { env: SESSION } }',
      '    oidc:',
      '      issuer: https://oauth.id.jumpcloud.com/',
      '      client_id: idflow',
      '      client_secret: { env: OIDC_SECRET }',
      '      roles: { admin: [idflow-admins], viewer: [hr] }',
      '',
    ].join('\n'));
    expect(loaded.problems).toEqual([]);
    const { settings, problems } = resolve({ SESSION: SECRET, OIDC_SECRET: 'an-oidc-client-secret' });
    expect(problems).toEqual([]);
    expect(settings.users.get('alice')).toEqual({ role: 'operator', passwordHash: hash });
    expect(settings.session).toEqual({ secret: SECRET, maxAgeMs: 8 * 3_600_000 });
    expect(settings.unavailable).toBeUndefined();
    expect(settings.oidc).toMatchObject({
      clientId: 'idflow', clientSecret: 'an-oidc-client-secret', redirectUrl: undefined, scopes: ['openid', 'profile', 'email', 'groups'],
      roleClaim: 'groups', nameClaims: ['preferred_username', 'email'], roles: { admin: ['idflow-admins'], operator: [], viewer: ['hr'] }, displayName: 'oauth.id.jumpcloud.com',
    });
    expect(settings.oidc?.issuer.href).toBe('https://oauth.id.jumpcloud.com/');
  });

  it('refuse misspelt keys with a suggestion, and a password where its hash belongs, at their place', () => {
    const { loaded } = load('serve:\n  console:\n    sesion: { secret: { env: S } }\n    users:\n      - { name: alice, role: admin, password_hash: hunter2hunter2 }\n');
    expect(loaded.problems.map((p) => [p.line, p.path, p.code, p.suggestion])).toEqual([
      [3, '/serve/console/sesion', 'unknown-key', 'Did you mean "session"?'],
      [5, '/serve/console/users/0/password_hash', 'invalid-format', undefined],
    ]);
  });

  it('name a missing or short session key, a hash idflow cannot verify, a user listed twice, plain http beyond loopback and a mapping that grants nothing', () => {
    const salt = Buffer.alloc(16, 1).toString('base64url');
    const hash = Buffer.alloc(32, 2).toString('base64url');
    const { loaded, resolve } = load([
      'serve:',
      '  console:',
      '    users:',
      `      - { name: bob, role: viewer, password_hash: "scrypt$1024$8$1$${salt}$${hash}" }`,
      `      - { name: carol, role: viewer, password_hash: "scrypt$16384$8$1$${salt}$${hash}" }`,
      `      - { name: carol, role: admin, password_hash: "scrypt$16384$8$1$${salt}$${hash}" }`,
      '    session: { secret: { env: SESSION }, max_age: 30s }',
      '    oidc:',
      '      issuer: http://idp.example.com/',
      '      client_id: idflow',
      '      client_secret: { env: OIDC_SECRET }',
      '      redirect_url: https://idflow.example.com/callback',
      '      roles: { admin: [] }',
      '',
    ].join('\n'));
    expect(loaded.problems).toEqual([]);
    const { settings, problems } = resolve({ SESSION: 'too-short-for-a-session-key' });
    expect(problems.map((p) => [p.line, p.code, p.message])).toEqual([
      [4, 'invalid-password-hash', 'serve.console.users[0].password_hash of "bob" has the scrypt cost N=1024; it must be a power of two from 2^14 to 2^20'],
      [6, 'duplicate-user', 'serve.console.users[2]: the user "carol" is listed twice'],
      [7, 'invalid-duration', 'serve.console.session.max_age is 30000 ms; a session must last at least 1m'],
      [7, 'weak-secret', 'serve.console.session.secret reads the environment variable SESSION, whose value is 27 characters long; the key that signs sessions needs at least 32'],
      [9, 'insecure-url', 'serve.console.oidc.issuer must be an https URL (plain http only on loopback); got http://idp.example.com'],
      [12, 'invalid-redirect-url', "serve.console.oidc.redirect_url must end in /auth/oidc/callback, where idflow serve receives the provider's answer; got /callback"],
      [11, 'secret-missing', 'serve.console.oidc.client_secret reads the environment variable OIDC_SECRET, which is not set'],
      [13, 'no-role-mapping', 'serve.console.oidc.roles grants no role to any group: nobody could sign in'],
    ]);
    expect(settings.session).toBeUndefined();
    expect(settings.unavailable).toMatch(/serve\.console\.session/);
  });

  it('need a session key once there are users, and say why nobody can sign in without one', () => {
    const { resolve } = load('serve:\n  console:\n    oidc: { issuer: "http://127.0.0.1:9/", client_id: c, client_secret: { env: X }, roles: { viewer: [g] } }\n');
    expect(resolve({ X: 'a-client-secret-value' }).problems.map((p) => [p.line, p.code])).toEqual([[3, 'session-missing']]);
    const none = resolveConsoleAuthSettings(undefined, {}, { file: 'c.yaml' });
    expect(none.problems).toEqual([]);
    expect(none.settings.unavailable).toBe('Sign-in is not configured on this server: serve.console.session (the key that signs sessions) is not set. An administrator must add it to the config.');
  });
});
