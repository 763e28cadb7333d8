import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Runtime } from '../../../engine/runtime/runtime.js';
import type { Workflow } from '../../../engine/language/types.js';

/**
 * The isolated runtime template tests run in: the config contributes its plugins only. Its
 * connections, secrets and variables must never reach a test run (a test must not talk to the
 * mail server or organisation the config names, nor pass or fail with the machine's config).
 */

const CONFIG = [
  'vars: { team: from-config }',
  'connections:',
  '  smtp: { url: "smtp://mail.example.com:25" }',
  'secrets:',
  '  TOKEN: { env: IDFLOW_TEST_TOKEN }',
  '',
].join('\n');

const workflow = { vars: { team: { type: 'string', default: 'declared' } } } as unknown as Workflow;

describe('Runtime.create({ isolated: true })', () => {
  it('reads no connection, secret or variable from the config; a test\'s vars take their place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-isolated-'));
    writeFileSync(join(dir, 'idflow.config.yaml'), CONFIG);
    const env = { IDFLOW_TEST_TOKEN: 'a-secret-token-of-sufficient-length' };
    const normal = await Runtime.create({ cwd: dir, env, store: join(dir, 'store') });
    const isolated = await Runtime.create({ cwd: dir, env, store: join(dir, 'store-isolated'), isolated: true });
    try {
      expect(normal.services.connections.get('smtp')).toBeDefined();
      expect(normal.services.secret('TOKEN')).toBe(env.IDFLOW_TEST_TOKEN);
      expect(normal.resolveVars(workflow)).toEqual({ team: 'from-config' });

      expect(isolated.services.connections.get('smtp')).toBeUndefined();
      expect(isolated.services.secret('TOKEN')).toBeUndefined();
      expect(isolated.resolveVars(workflow)).toEqual({ team: 'declared' });
      expect(isolated.resolveVars(workflow, { values: { team: 'from-test' }, origin: 'x.test.yaml' })).toEqual({ team: 'from-test' });
    } finally {
      await Promise.all([normal.close(), isolated.close()]);
    }
  });

  it('starts the sandbox from its organisation with a test\'s changes applied, and shows named objects', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idflow-isolated-'));
    const runtime = await Runtime.create({ cwd: dir, env: {}, store: join(dir, 'store'), sandbox: true, isolated: true, sandboxAmendment: { changes: { users: [{ username: 'john.smith', state: 'SUSPENDED' }], vars: { it_team_emails: ['ops@company.com'] } }, remove: { users: ['kevin.white'] } } });
    try {
      expect(runtime.inspectSandbox('user john.smith')).toMatchObject({ state: 'SUSPENDED' });
      expect(runtime.inspectSandbox('user kevin.white')).toBeNull();
      const itTeam = { vars: { it_team_emails: { type: 'array', items: { type: 'string' }, default: [] } } } as unknown as Workflow;
      expect(runtime.resolveVars(itTeam)).toEqual({ it_team_emails: ['ops@company.com'] });
    } finally {
      await runtime.close();
    }
    await expect(Runtime.create({ cwd: dir, env: {}, store: join(dir, 'store2'), sandbox: true, isolated: true, sandboxAmendment: { remove: { users: ['no.one'] } } })).rejects.toThrow('there is no users entry with username "no.one" to remove');
  });
});
