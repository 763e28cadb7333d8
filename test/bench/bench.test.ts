import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from './main.js';
import { lowerBoundMs, minimumCalls, callsByEndpoint, isChange } from './offboarding/minimum-calls.js';
import { HIRE_SHAPE, onboardingMinimumCalls } from './onboarding/minimum-calls.js';
import { largeTemplate } from './startup/startup.js';
import { repoRoot } from '../support/cli.js';

/**
 * The benchmark harness itself (npm run bench): its arguments, the formulas it compares with,
 * and one quick run end to end, so that it keeps working. The figures of a quick run mean
 * nothing; BENCHMARKS.md holds real ones.
 */
describe('npm run bench', () => {
  it('parses its options and refuses unknown ones with the usage', () => {
    expect(parseBenchArgs([])).toMatchObject({ json: false, write: false, quick: false, users: 100, only: ['engine', 'share', 'throughput', 'onboarding', 'startup'] });
    expect(parseBenchArgs(['--json', '--users', '1000', '--only', 'throughput,startup'])).toMatchObject({ json: true, users: 1000, only: ['throughput', 'startup'] });
    expect(() => parseBenchArgs(['--users', 'many'])).toThrow('--users must be a whole number from 1 to 100000, got "many"');
    expect(() => parseBenchArgs(['--only', 'speed'])).toThrow('--only takes engine, share, throughput, onboarding, startup; got "speed"');
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown option "--fast"[\s\S]*usage: npm run bench/);
  });

  it('counts the fewest calls an offboarding needs, and the lower bound on its time', () => {
    // john.smith of the example organisation: 5 groups, 8 systems, 6 applications, 1 LDAP, 1 RADIUS, 1 key, 1 push endpoint, MFA.
    const john = minimumCalls({ groups: 5, systems: 8, applications: 6, ldapServers: 1, radiusServers: 1, sshKeys: 1, pushEndpoints: 1, ldapBindingUser: true, mfaConfigured: true });
    // Named with one list read per type (issue 14), not one read per object (21 before).
    expect(john).toEqual({ find: 1, read: 7, name: 5, change: 26, verify: 8, total: 47 });
    expect(minimumCalls({ groups: 5, systems: 8, applications: 6, ldapServers: 1, radiusServers: 1, sshKeys: 1, pushEndpoints: 1, ldapBindingUser: true, mfaConfigured: true, hasManager: true }).total).toBe(48);
    expect(minimumCalls({ groups: 0, systems: 250, applications: 0, ldapServers: 0, radiusServers: 0, sshKeys: 0, pushEndpoints: 0, ldapBindingUser: false, mfaConfigured: false }).name).toBe(3);
    expect(lowerBoundMs(1000, 20, 5, 0)).toBe(4000);
    expect(lowerBoundMs(1001, 20, 5, 0)).toBe(4020);
    // A binding rate limit: 1,100 calls at 100/s, the first 100 at once.
    expect(lowerBoundMs(1100, 20, 5, 100)).toBe(10_000);
    expect(isChange({ method: 'POST', path: '/api/search/systemusers' })).toBe(false);
    expect(isChange({ method: 'POST', path: '/api/v2/users/x/associations' })).toBe(true);
    const entry = { status: 200, ms: 1, at: '' };
    expect(callsByEndpoint([
      { ...entry, method: 'GET', path: '/api/v2/users/0123456789abcdef01234567/associations', query: 'targets=system&limit=100' },
      { ...entry, method: 'GET', path: '/api/v2/users/89abcdef0123456789abcdef/associations', query: 'targets=system&limit=100' },
      { ...entry, method: 'GET', path: '/api/systemusers/0123456789abcdef01234567', query: '' },
    ])).toEqual([{ endpoint: 'GET /api/v2/users/:id/associations?targets=system', calls: 2 }, { endpoint: 'GET /api/systemusers/:id', calls: 1 }]);
  });

  it('counts the fewest calls an onboarding needs', () => {
    // Two searches (the user, the manager), a named read per kind, the creation (as ACTIVATED), each membership and binding.
    expect(onboardingMinimumCalls(HIRE_SHAPE)).toEqual({ find: 2, name: 2, change: 4, total: 8 });
    expect(onboardingMinimumCalls({ groups: 0, systems: 0, activate: false })).toEqual({ find: 2, name: 0, change: 1, total: 3 });
    expect(onboardingMinimumCalls({ groups: 150, systems: 1, activate: true }).name).toBe(3);
  });

  it('generates a large template with as many steps as asked', () => {
    expect(largeTemplate(10).match(/^ {2}- id: /gm)).toHaveLength(10);
  });

  it('runs every group end to end with --quick and prints JSON', async () => {
    const { stdout } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, [join(repoRoot, 'test', 'bench', 'run.mjs'), '--quick', '--json'], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 }, (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve({ stdout: out, stderr: err })));
    });
    const report = JSON.parse(stdout) as { machine: { cores: number; node: string }; figures: Array<{ group: string; name: string; value: number; unit: string }> };
    expect(report.machine.node).toBe(process.version);
    const groups = new Set(report.figures.map((f) => f.group.replace(/ \(.*\)$/, '')));
    expect([...groups]).toEqual(['engine overhead', 'engine share of an offboarding', 'offboarding throughput', 'onboarding throughput', 'start-up']);
    for (const figure of report.figures) expect(Number.isFinite(figure.value), figure.name).toBe(true);
    expect(report.figures.find((f) => f.group.startsWith('offboarding') && f.name === 'changing calls made')).toMatchObject({ value: 30, unit: 'calls' });
    // Three new hires: a creation (as ACTIVATED: the start date has come), two memberships and a binding each.
    expect(report.figures.find((f) => f.group.startsWith('onboarding') && f.name === 'changing calls made')).toMatchObject({ value: 12, unit: 'calls' });
    // Five groups, two of them a bulk run of the built CLI each.
  }, 150_000);
});
