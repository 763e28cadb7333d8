import type { SandboxInstance, SandboxOptions, SandboxProvider } from '../../../engine/plugin-api/pack.js';
import { loadSandboxData } from './data/load-sandbox-data.js';
import { startEmulator } from './server.js';

/**
 * The JumpCloud pack's sandbox (`idflow sandbox`, `run --sandbox`): starts the emulator and
 * points the pack's `jumpcloud` connection at it (`base_url`, `api_key`, and `org_id` when it runs
 * as a multi-tenant admin). `start()` loads `dataFile` when given; without one the organisation is
 * empty, so callers that want the example org pass {@link jumpcloudSandbox.defaultDataFile},
 * resolved against the package root.
 */
export const jumpcloudSandbox: SandboxProvider = {
  description: 'JumpCloud emulator: a JumpCloud-compatible API on loopback with the organisation in memory',
  defaultDataFile: 'examples/sandbox/org.json',
  async start(options: SandboxOptions): Promise<SandboxInstance> {
    const data = options.dataFile === undefined ? undefined : await loadSandboxData(options.dataFile);
    const emulator = await startEmulator({
      ...(data !== undefined ? { data } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
      ...(options.orgId !== undefined ? { orgId: options.orgId } : {}),
      ...(options.latencyMs !== undefined ? { latencyMs: options.latencyMs } : {}),
      ...(options.failRate !== undefined ? { failRate: options.failRate } : {}),
      ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
      ...(options.dropRate !== undefined ? { dropRate: options.dropRate } : {}),
    });
    return {
      url: emulator.url,
      apiKey: emulator.apiKey,
      connections: { jumpcloud: { base_url: emulator.url, api_key: emulator.apiKey, ...(emulator.multiTenant ? { org_id: emulator.orgId } : {}) } },
      describe: () => {
        const snapshot = emulator.state.snapshot();
        const faults = emulator.faults();
        const active = Object.entries(faults).filter(([, value]) => value > 0).map(([name, value]) => `${name}=${value}`);
        return [
          `JumpCloud emulator listening on ${emulator.url}`,
          `API key: ${emulator.apiKey}`,
          `Organization: ${snapshot.organization.name} (${emulator.orgId})${emulator.multiTenant ? ', x-org-id required' : ''}`,
          `Data: ${options.dataFile ?? 'empty organisation'} (${snapshot.users.length} users, ${snapshot.usergroups.length} user groups, ${snapshot.systems.length} systems, ${snapshot.applications.length} applications)`,
          `Faults: ${active.length > 0 ? active.join(', ') : 'none'}`,
          `Admin: GET ${emulator.url}/__sandbox/state, GET ${emulator.url}/__sandbox/requests, POST ${emulator.url}/__sandbox/reset`,
        ];
      },
      close: () => emulator.close(),
    };
  },
};
