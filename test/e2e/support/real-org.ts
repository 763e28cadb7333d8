import { join } from 'node:path';
import { loadSandboxData, startEmulator, type RunningEmulator } from '../../../actions/jumpcloud/emulator/index.js';
import type { RequestLogEntry } from '../../../actions/jumpcloud/emulator/index.js';
import { repoRoot } from '../../support/cli.js';
import { workspace, writeConfig, type Workspace } from './offboarding.js';

/** The API key the tests' emulator accepts, given to idflow as `JUMPCLOUD_API_KEY`. */
export const API_KEY = 'e2e-jumpcloud-key-0123456789';

/**
 * The example organisation on an emulator the test starts itself, so idflow talks to it exactly
 * as to a real organisation: no `--sandbox`, the URL in the config's `jumpcloud` connection and
 * the key in `JUMPCLOUD_API_KEY`. The test then reads the emulator's request log.
 */
export async function startExampleOrg(options: { seed?: number } = {}): Promise<RunningEmulator> {
  return startEmulator({ data: await loadSandboxData(join(repoRoot, 'examples', 'sandbox', 'org.json')), apiKey: API_KEY, ...(options.seed === undefined ? {} : { seed: options.seed }) });
}

/** Settings for a workspace whose config points at `emulator` (and optionally an SMTP server). */
export interface RealOrgSetup {
  emulator: RunningEmulator;
  smtp?: { url: string; username: string; password: string };
  itTeam?: string[];
  initiatedBy?: string;
}

/**
 * A workspace with an `idflow.config.yaml` for a "real" organisation: the `jumpcloud`
 * connection (base URL, `api_key: { env: JUMPCLOUD_API_KEY }`, protected accounts), the `smtp`
 * connection with its password from `SMTP_PASSWORD`, and the IT team's recipients.
 */
export function realOrgWorkspace(setup: RealOrgSetup): Workspace & { config: string } {
  const ws = workspace({ JUMPCLOUD_API_KEY: API_KEY, ...(setup.smtp === undefined ? {} : { SMTP_PASSWORD: setup.smtp.password }) });
  const lines = [
    'vars:',
    `  it_team_emails: ${JSON.stringify(setup.itTeam ?? [])}`,
    'connections:',
    '  jumpcloud:',
    `    base_url: ${JSON.stringify(setup.emulator.url)}`,
    '    api_key: { env: JUMPCLOUD_API_KEY }',
    '    protected_accounts: [admin@company.com]',
    ...(setup.smtp === undefined ? [] : [
      '  smtp:',
      `    url: ${JSON.stringify(setup.smtp.url)}`,
      `    username: ${setup.smtp.username}`,
      '    password: { env: SMTP_PASSWORD }',
      '    from: "IT Offboarding <idflow@company.com>"',
    ]),
    ...(setup.initiatedBy === undefined ? [] : ['run:', `  initiated_by: ${JSON.stringify(setup.initiatedBy)}`]),
    '',
  ];
  return { ...ws, config: writeConfig(ws, lines.join('\n')) };
}

/** Requests that could have changed something: anything but reads and user searches. */
export function mutatingRequests(requests: readonly RequestLogEntry[]): RequestLogEntry[] {
  return requests.filter((r) => r.method !== 'GET' && !(r.method === 'POST' && r.path === '/api/search/systemusers'));
}
