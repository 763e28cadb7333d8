import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../../actions/jumpcloud/emulator/index.js';
import { FaultInjector } from '../../../../actions/jumpcloud/emulator/faults.js';
import { createRandom } from '../../../../actions/jumpcloud/emulator/random.js';

/** Targeted faults: one call answered with an error until the rule is cleared (the reliability suite's "permanent failure"). */
describe('FaultInjector rules (unit)', () => {
  it('answers matching requests only, by method and exact path or pattern, as many times as asked', () => {
    const faults = new FaultInjector({}, createRandom(1), () => 0);
    faults.setRules([
      { method: 'post', path: /^\/api\/v2\/users\/[0-9a-f]{24}\/associations$/, status: 403, message: 'Forbidden: not allowed', times: 2 },
      { method: 'DELETE', path: '/api/systemusers/x', status: 500 },
    ]);
    expect(faults.decide({ method: 'GET', path: '/api/v2/users/0123456789abcdef01234567/associations' })).toEqual({ kind: 'none' });
    const hit = { method: 'POST', path: '/api/v2/users/0123456789abcdef01234567/associations' };
    expect(faults.decide(hit)).toEqual({ kind: 'rule', status: 403, message: 'Forbidden: not allowed' });
    expect(faults.decide(hit)).toMatchObject({ kind: 'rule' });
    expect(faults.decide(hit)).toEqual({ kind: 'none' });
    expect(faults.decide({ method: 'DELETE', path: '/api/systemusers/x' })).toEqual({ kind: 'rule', status: 500, message: 'Injected fault: 500 for DELETE /api/systemusers/x' });
    expect(faults.decide({ method: 'DELETE', path: '/api/systemusers/xy' })).toEqual({ kind: 'none' });
    expect(faults.rules()).toEqual([{ method: 'DELETE', path: '/api/systemusers/x', status: 500 }]);
    faults.setRules([]);
    expect(faults.decide({ method: 'DELETE', path: '/api/systemusers/x' })).toEqual({ kind: 'none' });
  });

  it('keeps the random decisions reproducible whatever the rules', () => {
    const decisions = (withRules: boolean) => {
      const faults = new FaultInjector({ failRate: 0.3 }, createRandom(5), () => 0);
      if (withRules) faults.setRules([{ method: 'GET', path: '/never', status: 403 }]);
      return Array.from({ length: 100 }, () => faults.decide({ method: 'GET', path: '/api/systemusers' }).kind);
    };
    expect(decisions(true)).toEqual(decisions(false));
  });

  it('refuses a rule that is not one, naming it', () => {
    const faults = new FaultInjector({}, createRandom(1));
    expect(() => faults.setRules([{ method: 'GET', path: '/x', status: 200 }])).toThrow('fault rule 0: status must be an HTTP error status (400–599), got 200');
    expect(() => faults.setRules([{ method: 'GET', path: '/x', status: 403 }, { method: 'G E T', path: '/x', status: 403 }])).toThrow('fault rule 1: method must be an HTTP method');
    expect(() => faults.setRules([{ method: 'GET', path: '/x', status: 403, times: 0 }])).toThrow('fault rule 0: times must be a whole number of at least 1');
  });
});

describe('fault rules over HTTP', () => {
  let emulator: RunningEmulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    emulator = undefined;
  });

  it('answers the rule\'s status with a JumpCloud error body, changes nothing, logs it as a rule fault, and handles the request again once cleared', async () => {
    emulator = await startEmulator({ apiKey: 'rules-key-0123456789' });
    const post = () => fetch(`${emulator?.url}/api/systemusers`, { method: 'POST', headers: { 'x-api-key': 'rules-key-0123456789', 'content-type': 'application/json' }, body: JSON.stringify({ username: 'kim', email: 'kim@example.com' }) });
    emulator.setFaultRules([{ method: 'POST', path: '/api/systemusers', status: 403, message: 'Forbidden: this admin may not create users' }]);
    const refused = await post();
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ message: 'Forbidden: this admin may not create users', code: 403, status: 'PERMISSION_DENIED' });
    expect(emulator.state.users()).toEqual([]);
    expect(emulator.requests()).toEqual([expect.objectContaining({ method: 'POST', path: '/api/systemusers', status: 403, fault: 'rule' })]);
    expect(emulator.faultRules()).toHaveLength(1);
    emulator.setFaultRules([]);
    expect((await post()).status).toBe(200);
    expect(emulator.state.users().map((u) => u.username)).toEqual(['kim']);
  });
});
