import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../../actions/jumpcloud/emulator/index.js';

/** The API key the benchmark's emulator accepts (not a secret: loopback only). */
export const BENCH_API_KEY = 'bench-jumpcloud-key-0123456789abcdef';

/** What each seeded leaver has: the access an offboarding must remove. */
export const LEAVER_SHAPE = { groups: 2, systems: 1, applications: 1, sshKeys: 1 } as const;

/** Shared objects the leavers are spread over. */
const GROUPS = 10;
const SYSTEMS = 20;
const APPLICATIONS = 5;

/** One seeded leaver. */
export interface Leaver {
  id: string;
  username: string;
  email: string;
}

/** Starts the emulator the benchmarks use (no latency while the organisation is set up). */
export function startBenchEmulator(seed = 7): Promise<RunningEmulator> {
  return startEmulator({ apiKey: BENCH_API_KEY, seed, requestLogLimit: 2_000_000 });
}

/**
 * Seeds `count` leavers through `POST /__sandbox/seed` (users, the groups they belong to, the
 * systems and applications they use), then gives each a direct system binding, an application
 * and an SSH key through the API itself, as an admin would have. Every leaver has
 * {@link LEAVER_SHAPE}: 2 group memberships, 1 system, 1 application, 1 SSH key, no MFA.
 */
export async function seedLeavers(emulator: RunningEmulator, count: number): Promise<Leaver[]> {
  const users = Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(5, '0');
    return { username: `leaver.${n}`, email: `leaver.${n}@bench.example`, firstname: 'Leaver', lastname: n };
  });
  const seeded = await admin<{ users: Array<{ _id: string; username: string; email: string }>; systems: Array<{ _id: string }>; applications: Array<{ _id: string }> }>(emulator, '/__sandbox/seed', {
    users,
    systems: Array.from({ length: SYSTEMS }, (_, i) => ({ displayName: `bench-host-${String(i).padStart(2, '0')}` })),
    applications: Array.from({ length: APPLICATIONS }, (_, i) => ({ name: `benchapp${i}`, displayLabel: `Bench App ${i}` })),
  });
  const leavers = seeded.users.map((u) => ({ id: u._id, username: u.username, email: u.email }));
  await admin(emulator, '/__sandbox/seed', {
    usergroups: Array.from({ length: GROUPS }, (_, g) => ({
      name: `Bench Team ${g}`,
      members: leavers.filter((_, i) => i % GROUPS === g || (i + 3) % GROUPS === g).map((l) => l.id),
    })),
  });
  // Direct bindings and keys through the API, a few at a time.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < leavers.length) {
      const i = next++;
      const leaver = leavers[i] as Leaver;
      const system = seeded.systems[i % SYSTEMS]?._id as string;
      const application = seeded.applications[i % APPLICATIONS]?._id as string;
      await api(emulator, 'POST', `/api/v2/users/${leaver.id}/associations`, { op: 'add', type: 'system', id: system });
      await api(emulator, 'POST', `/api/v2/users/${leaver.id}/associations`, { op: 'add', type: 'application', id: application });
      await api(emulator, 'POST', `/api/systemusers/${leaver.id}/sshkeys`, { name: 'laptop', public_key: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${Buffer.from(leaver.id).toString('base64')} ${leaver.username}` });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return leavers;
}

/** A working folder with an `idflow.config.yaml` pointing the `jumpcloud` connection at the emulator. */
export function benchWorkspace(emulator: RunningEmulator, options: { maxConcurrency?: number } = {}): { dir: string; config: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-bench-offboarding-'));
  const config = join(dir, 'idflow.config.yaml');
  writeFileSync(config, [
    'connections:',
    '  jumpcloud:',
    `    base_url: ${JSON.stringify(emulator.url)}`,
    '    api_key: { env: BENCH_JUMPCLOUD_KEY }',
    ...(options.maxConcurrency === undefined ? [] : [`    max_concurrency: ${options.maxConcurrency}`]),
    '',
  ].join('\n'));
  return { dir, config, env: { BENCH_JUMPCLOUD_KEY: BENCH_API_KEY, IDFLOW_HOME: join(dir, 'store') } };
}

/** A POST to the emulator's admin routes (`/__sandbox/…`). */
export async function admin<T>(emulator: RunningEmulator, path: string, body: unknown): Promise<T> {
  return api<T>(emulator, 'POST', path, body);
}

/** One API call to the emulator with its key, failing with the answer when it is not 2xx. */
export async function api<T = unknown>(emulator: RunningEmulator, method: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${emulator.url}${path}`, { method, headers: { 'x-api-key': emulator.apiKey, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}
