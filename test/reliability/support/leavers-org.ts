import { join } from 'node:path';
import { loadSandboxData, startEmulator, type RunningEmulator, type SandboxData } from '../../../actions/jumpcloud/emulator/index.js';
import { repoRoot } from '../../support/cli.js';
import { API_KEY } from './offboarding-org.js';

/**
 * An organisation with many people to offboard at once: the example organisation plus `count`
 * leavers (`leaver.01` …), each in three groups, with two applications, a system and MFA, so
 * that every offboarding makes a few dozen API calls, on an emulator with latency the test
 * starts itself.
 */
export async function startLeaversOrg(count: number, options: { latencyMs: number; seed: number }): Promise<{ emulator: RunningEmulator; leavers: string[] }> {
  const example = await loadSandboxData(join(repoRoot, 'examples', 'sandbox', 'org.json'));
  const leavers = Array.from({ length: count }, (_, index) => `leaver.${String(index + 1).padStart(2, '0')}`);
  const template = (example.users ?? []).find((user) => user.username === 'jane.doe');
  if (template === undefined) throw new Error('the example organisation no longer has jane.doe, whose access the leavers copy');
  const data: SandboxData = {
    ...example,
    users: [
      ...(example.users ?? []),
      ...leavers.map((username, index) => ({
        ...template,
        username,
        email: `${username}@company.com`,
        firstname: 'Leaver',
        lastname: String(index + 1),
        displayname: `Leaver ${index + 1}`,
        employeeIdentifier: `L${String(index + 1).padStart(4, '0')}`,
        groups: ['Engineering', 'VPN Users', 'On-Call Rotation'],
        systems: [],
      })),
    ],
  };
  const emulator = await startEmulator({ data, apiKey: API_KEY, seed: options.seed, latencyMs: options.latencyMs });
  return { emulator, leavers };
}
