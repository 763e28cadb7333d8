import type { SandboxInstance, SandboxOptions, SandboxProvider } from '../../../engine/plugin-api/pack.js';
import type { RunningEmulator } from './server.js';
import { amendSandboxData } from './data/amend-sandbox-data.js';
import { inspectOrg } from './sandbox-inspect.js';

/**
 * The JumpCloud pack's sandbox (`idflow sandbox`, `run --sandbox`): starts the emulator and
 * points the pack's `jumpcloud` connection at it.
 *
 * The connection carries `base_url`, `api_key`, `sandbox: true` (so the actions never fall back
 * to `JUMPCLOUD_API_KEY`/`JUMPCLOUD_API_URL` from the environment: a real key must never reach the
 * emulator, nor the emulator's key JumpCloud), `org_id` when the emulator runs as a multi-tenant
 * admin, and the org file's `protectedAccounts` as `protected_accounts`. The org file's `vars`
 * become the instance's {@link SandboxInstance.vars}.
 *
 * `start()` loads `dataFile` when given; without one the organisation is empty, so callers that
 * want the example org pass {@link jumpcloudSandbox.defaultDataFile}, resolved against the package
 * root. With `stateFile`, the organisation continues from where earlier sessions left it.
 */
export const jumpcloudSandbox: SandboxProvider = {
  description: 'JumpCloud emulator: a JumpCloud-compatible API on loopback with the organisation in memory',
  defaultDataFile: 'examples/sandbox/org.json',
  amendData: amendSandboxData,
  async start(options: SandboxOptions): Promise<SandboxInstance> {
    // The emulator is imported when a sandbox starts: importing it with the pack cost every
    // command that loads the built-in actions (`validate`, `run`, …) tens of milliseconds.
    const [{ loadSandboxData }, { startEmulator }] = await Promise.all([import('./data/load-sandbox-data.js'), import('./server.js')]);
    const data = options.dataFile === undefined ? undefined : await loadSandboxData(options.dataFile);
    const emulator = await startEmulator({
      ...(data !== undefined ? { data } : {}),
      ...(options.stateFile !== undefined ? { stateFile: options.stateFile } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
      ...(options.orgId !== undefined ? { orgId: options.orgId } : {}),
      ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
      ...(options.failRate !== undefined ? { failRate: options.failRate } : {}),
      ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
      ...(options.dropRate !== undefined ? { dropRate: options.dropRate } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
    const protectedAccounts = data?.protectedAccounts ?? [];
    return {
      url: emulator.url,
      apiKey: emulator.apiKey,
      connections: { jumpcloud: sandboxConnection(emulator, protectedAccounts) },
      vars: structuredClone(data?.vars ?? {}),
      describe: () => describeEmulator(emulator, options.dataFile),
      usage: () => [
        'Point idflow at it from another shell (then run without --sandbox; emails need an smtp connection in the config):',
        `  export JUMPCLOUD_API_URL=${emulator.url} JUMPCLOUD_API_KEY=${emulator.apiKey}${emulator.multiTenant ? ` JUMPCLOUD_ORG_ID=${emulator.orgId}` : ''}`,
      ],
      inspect: (ref) => inspectOrg(emulator.state.snapshot(), ref),
      close: () => emulator.close(),
    };
  },
};

/** The lines `describe()` prints: where it listens, the key, the organisation, faults, state and admin endpoints. */
function describeEmulator(emulator: RunningEmulator, dataFile: string | undefined): string[] {
  const snapshot = emulator.state.snapshot();
  const faults = emulator.faults();
  const active = Object.entries(faults).filter(([, value]) => value > 0).map(([name, value]) => `${name}=${value}`);
  const lines = [
    `JumpCloud emulator listening on ${emulator.url}`,
    `API key: ${emulator.apiKey}`,
    `Organization: ${snapshot.organization.name} (${emulator.orgId})${emulator.multiTenant ? ', x-org-id required' : ''}`,
    `Data: ${dataFile ?? 'empty organisation'} (${snapshot.users.length} users, ${snapshot.usergroups.length} user groups, ${snapshot.systems.length} systems, ${snapshot.applications.length} applications)`,
  ];
  const state = emulator.stateFile;
  if (state !== undefined) {
    const origin = state.origin === 'restored'
      ? `continuing from the state saved ${state.savedAt ?? ''}`
      : state.origin === 'stale'
        ? `the org file changed since the state was saved (${state.savedAt ?? ''}), so it starts again from the org file`
        : 'new, starting from the org file';
    lines.push(`State: ${state.file} (${origin})`);
  }
  lines.push(
    `Faults: ${active.length > 0 ? active.join(', ') : 'none'}`,
    `Admin: GET ${emulator.url}/__sandbox/state, GET ${emulator.url}/__sandbox/requests, POST ${emulator.url}/__sandbox/reset`,
  );
  return lines;
}

/**
 * The `jumpcloud` connection settings that point at a running emulator (see
 * {@link jumpcloudSandbox} for why each is there).
 */
export function sandboxConnection(emulator: Pick<RunningEmulator, 'url' | 'apiKey' | 'orgId' | 'multiTenant'>, protectedAccounts: readonly string[] = []): Record<string, unknown> {
  return {
    base_url: emulator.url,
    api_key: emulator.apiKey,
    sandbox: true,
    ...(emulator.multiTenant ? { org_id: emulator.orgId } : {}),
    ...(protectedAccounts.length > 0 ? { protected_accounts: [...protectedAccounts] } : {}),
  };
}
