import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSandboxData, startEmulator, type OrgSnapshot, type RunningEmulator, type SandboxData } from '../../../actions/jumpcloud/emulator/index.js';
import { repoRoot } from '../../support/cli.js';

/**
 * The organisation the reliability suite offboards from: the example org (john.smith with 5
 * groups, 8 systems, 6 applications, LDAP, RADIUS, MFA, an SSH key) on an emulator the test
 * starts itself, reached by the built CLI exactly like a real organisation, through
 * `JUMPCLOUD_API_URL` and `JUMPCLOUD_API_KEY`.
 */

/** The key the tests' emulators accept. */
export const API_KEY = 'reliability-jumpcloud-key-7f3a9c21';

/** The offboarding template, as users name it. */
export const TEMPLATE = join(repoRoot, 'templates', 'jumpcloud-offboarding.yaml');

let exampleOrg: SandboxData | undefined;

/** Starts an emulator holding the example organisation; the same seed gives the same ids. */
export async function startOrg(options: { latencyMs?: number; seed?: number; failRate?: number; dropRate?: number; rateLimit?: number } = {}): Promise<RunningEmulator> {
  exampleOrg ??= await loadSandboxData(join(repoRoot, 'examples', 'sandbox', 'org.json'));
  return startEmulator({ data: exampleOrg, apiKey: API_KEY, seed: options.seed ?? 1, ...options });
}

/** A scratch folder, its store, and the CLI's environment pointing at `emulator` (and at nothing real). */
export interface Workspace {
  dir: string;
  store: string;
  env: Record<string, string | undefined>;
}

export function workspace(emulator: RunningEmulator, extraEnv: Record<string, string | undefined> = {}): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-reliability-'));
  const store = join(dir, 'store');
  return { dir, store, env: { IDFLOW_HOME: store, JUMPCLOUD_API_URL: emulator.url, JUMPCLOUD_API_KEY: API_KEY, JUMPCLOUD_ORG_ID: undefined, ...extraEnv } };
}

/** The ids of the runs in a store, oldest first. */
export function runIds(store: string): string[] {
  try {
    return readdirSync(join(store, 'runs')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * The organisation as data to compare across emulators and runs: the emulator's snapshot
 * without its event counter, with every timestamp (records the example org gives no creation
 * time are created "now") replaced by `<time>`.
 */
export function orgState(emulator: RunningEmulator): unknown {
  const { eventCount: _events, ...state } = emulator.state.snapshot() as OrgSnapshot;
  return withoutTimes(state);
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function withoutTimes(value: unknown): unknown {
  if (typeof value === 'string') return TIMESTAMP.test(value) ? '<time>' : value;
  if (Array.isArray(value)) return value.map(withoutTimes);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, withoutTimes(field)]));
  return value;
}
