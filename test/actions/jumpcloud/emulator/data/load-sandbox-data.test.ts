import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSandboxData, parseSandboxData, validateSandboxData } from '../../../../../actions/jumpcloud/emulator/index.js';
import { ValidationError } from '../../../../../engine/errors/index.js';
import type { Problem } from '../../../../../engine/diagnostics/problem.js';

function problemsOf(run: () => unknown): Problem[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('INVALID_INPUT');
    return [...(error as ValidationError).problems];
  }
  throw new Error('expected a ValidationError');
}

const file = 'org.json';
const parse = (text: string) => problemsOf(() => parseSandboxData(text, file));

describe('org file checks, with positions', () => {
  it('accepts a small valid file', () => {
    const data = parseSandboxData('{"users": [{"username": "a", "email": "a@example.com"}]}', file);
    expect(data.users?.[0]?.username).toBe('a');
  });

  it('reports JSON syntax errors at their line and column', () => {
    const [problem] = parse('{\n  "users": [\n    {"username": "a",}\n  ]\n}');
    expect(problem).toMatchObject({ file, code: 'json-syntax', line: 3 });
    expect(problem?.message).toMatch(/^Not valid JSON/);
  });

  it('reports an unknown field at the key, with a did-you-mean and the known fields', () => {
    const text = '{\n  "users": [\n    {"username": "a", "email": "a@example.com", "grups": ["X"]}\n  ]\n}';
    const [problem] = parse(text);
    expect(problem).toMatchObject({ code: 'unknown-key', line: 3, column: 49, path: '/users/0/grups', suggestion: 'Did you mean "groups"?' });
    expect(problem?.message).toContain('users[0]: unknown field "grups"');
  });

  it('reports missing fields on the object that lacks them, and wrong types on the value', () => {
    const problems = parse('{"users": [\n  {"username": "a"},\n  {"username": "b", "email": "b@example.com", "ldap_binding_user": "yes"}\n]}');
    expect(problems.map((p) => [p.code, p.line, p.path, p.message])).toEqual([
      ['missing-key', 2, '/users/0', 'users[0]: missing required field "email"'],
      ['wrong-type', 3, '/users/1/ldap_binding_user', 'users[1].ldap_binding_user: must be a boolean, not "yes"'],
    ]);
  });

  it('reports malformed ObjectIds, bad emails, bad states (with a suggestion) and bad SSH keys', () => {
    const problems = parse(JSON.stringify({
      users: [{ id: '64F1A2B3C4D5E6F708192A3B', username: 'a', email: 'nope', state: 'SUSPEND', sshKeys: [{ name: 'k', public_key: 'garbage' }] }],
    }, null, 2));
    expect(problems.map((p) => p.code)).toEqual(['bad-object-id', 'bad-value', 'bad-value', 'bad-value']);
    expect(problems[0]?.message).toBe('users[0].id: "64F1A2B3C4D5E6F708192A3B" is not a valid ObjectId (24 lowercase hexadecimal characters)');
    expect(problems[1]?.message).toContain('is not an email address');
    expect(problems[2]?.suggestion).toBe('Did you mean "SUSPENDED"?');
    expect(problems[3]?.message).toContain('is not an OpenSSH public key');
  });

  it('explains a malformed system binding once', () => {
    const problems = parse(JSON.stringify({ users: [{ username: 'a', email: 'a@example.com', systems: [{ host: 'x' }] }], systems: [{ displayName: 'x' }] }));
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toContain('must be a system displayName or {"name"');
  });

  it('reports unknown references with a did-you-mean, at the reference', () => {
    const text = JSON.stringify({
      users: [{ username: 'john', email: 'john@example.com', manager: 'jane.do', groups: ['Enginering'], systems: ['web'], applications: ['Slak'], ldapServers: ['LDAP'], radiusServers: ['Wifi'] }],
      userGroups: [{ name: 'Engineering', members: ['jon'] }],
      systems: [{ displayName: 'web-1' }],
      systemGroups: [{ name: 'Web', systems: ['web-2'] }],
      applications: [{ displayLabel: 'Slack' }],
    }, null, 2);
    const problems = parse(text);
    expect(problems.map((p) => [p.path, p.suggestion])).toEqual([
      ['/users/0/manager', undefined],
      ['/users/0/groups/0', 'Did you mean "Engineering"?'],
      ['/users/0/systems/0', 'Did you mean "web-1"?'],
      ['/users/0/applications/0', 'Did you mean "Slack"?'],
      ['/users/0/ldapServers/0', undefined],
      ['/users/0/radiusServers/0', undefined],
      ['/userGroups/0/members/0', 'Did you mean "john"?'],
      ['/systemGroups/0/systems/0', 'Did you mean "web-1"?'],
    ]);
    expect(problems[0]?.message).toBe('users[0].manager: no user named "jane.do" in this file');
    const line = text.split('\n').findIndex((l) => l.includes('"Enginering"')) + 1;
    expect(problems[1]?.line).toBe(line);
  });

  it('reports duplicate names (users without case), duplicate ids and self-management', () => {
    const problems = parse(JSON.stringify({
      users: [
        { id: 'aaaaaaaaaaaaaaaaaaaaaaaa', username: 'a', email: 'a@example.com' },
        { username: 'A', email: 'other@example.com' },
        { id: 'aaaaaaaaaaaaaaaaaaaaaaaa', username: 'b', email: 'A@example.com', manager: 'b' },
      ],
      systems: [{ displayName: 's' }, { displayName: 's' }],
    }, null, 2));
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['duplicate-name', '/users/1/username'],
      ['duplicate-name', '/users/2/email'],
      ['duplicate-name', '/systems/1/displayName'],
      ['bad-value', '/users/2/manager'],
      ['duplicate-id', '/users/2/id'],
      ['duplicate-id', '/systems/1'],
    ]);
    expect(problems[0]?.message).toBe('users[1].username: user "A" is already defined at users[0] (compared without case)');
  });

  it('reports SSH keys and push endpoints that share a name on one user', () => {
    const problems = parse(JSON.stringify({
      users: [{ username: 'a', email: 'a@example.com', sshKeys: [{ name: 'k', public_key: 'ssh-ed25519 AAAA1' }, { name: 'k', public_key: 'ssh-ed25519 AAAA2' }], mfa: { pushEndpoints: [{ name: 'p' }, { name: 'p' }] } }],
    }));
    expect(problems.map((p) => p.path)).toEqual(['/users/0/sshKeys/1/name', '/users/0/mfa/pushEndpoints/1/name']);
  });

  it('reports duplicate keys that JSON.parse would silently merge', () => {
    const problems = parse('{\n  "users": [],\n  "users": []\n}');
    expect(problems).toEqual([expect.objectContaining({ code: 'duplicate-key', line: 3 })]);
  });

  it('takes idflow variables and protected accounts, and refuses a variable name the workflow language could not declare', () => {
    const data = parseSandboxData('{"vars": {"it_team_emails": ["it@x.com"], "mode": "disable"}, "protectedAccounts": ["admin"]}', 'org.json');
    expect(data.vars).toEqual({ it_team_emails: ['it@x.com'], mode: 'disable' });
    expect(data.protectedAccounts).toEqual(['admin']);
    const problems = problemsOf(() => parseSandboxData('{"vars": {"it-team": []}, "protectedAccounts": "admin"}', 'org.json'));
    expect(problems.map((p) => [p.code, p.path, p.message])).toEqual([
      ['bad-value', '/vars/it-team', 'vars: "it-team" is not a variable name (letters, digits and _, not starting with a digit)'],
      ['wrong-type', '/protectedAccounts', 'protectedAccounts: must be an array, not "admin"'],
    ]);
  });

  it('lists every problem in the error message with file:line:column', () => {
    expect(() => parseSandboxData('{"users": [{"username": "a"}], "sytems": []}', 'my-org.json')).toThrow([
      'Org file "my-org.json" has 2 problems:',
      '  my-org.json:1:32 the file: unknown field "sytems"; known fields: $schema, organization, users, userGroups, systems, systemGroups, applications, ldapServers, radiusServers, policies, vars, protectedAccounts (Did you mean "systems"?)',
      '  my-org.json:1:12 users[0]: missing required field "email"',
    ].join('\n'));
  });

  it('validates data given as an object (no positions, JSON pointers kept)', () => {
    const problems = problemsOf(() => validateSandboxData({ users: [{ username: 'a', email: 'a@example.com', groups: ['G'] }] }));
    expect(problems).toEqual([expect.objectContaining({ file: '<org data>', line: 1, column: 1, path: '/users/0/groups/0', code: 'unknown-reference' })]);
  });
});

describe('loadSandboxData', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idflow-emulator-data-'));
  });

  it('reads a file', async () => {
    const path = join(dir, 'ok.json');
    await writeFile(path, JSON.stringify({ organization: { name: 'Tiny' }, users: [] }));
    expect((await loadSandboxData(path)).organization?.name).toBe('Tiny');
  });

  it('says clearly when the file cannot be read', async () => {
    await expect(loadSandboxData(join(dir, 'missing.json'))).rejects.toThrow(/Cannot read org file ".*missing\.json": the file does not exist/);
  });

  it('names the file in problems', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{"users": 3}');
    await expect(loadSandboxData(path)).rejects.toMatchObject({ problems: [expect.objectContaining({ file: path, code: 'wrong-type', path: '/users' })] });
  });
});
