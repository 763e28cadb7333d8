import { TransientError, PermanentError } from '../../../../engine/errors/index.js';
import type { ActionDefinition } from '../../../../engine/plugin-api/action.js';
import type { JsonSchema } from '../../../../engine/plugin-api/json-schema.js';
import { isKnownAfterRun, knownAfterRun } from '../../../../engine/plugin-api/known-after-run.js';

/**
 * Small, real actions for runner tests. They keep their "world" in the given state object, so
 * a test can see exactly what ran, and change the world between a run and its resume.
 */
export interface TestWorld {
  /** Invocations of `run()` per action id + key. */
  calls: Map<string, number>;
  /** Invocations of `plan()`. */
  plans: number;
  /** Group memberships the `test.groups.remove` action removes. */
  groups: Set<string>;
  /** Things `test.thing.create` made, by name (their id is `id-<name>`), with their tags. */
  things: Map<string, string[]>;
  /** When true, `test.gate.pass` fails permanently (a "cause" a test later fixes). */
  gateClosed: boolean;
  /** In-flight counter for foreach concurrency checks. */
  inFlight: number;
  maxInFlight: number;
  /** Why each piece of work `test.fanout.fail` left in flight was stopped, in order. */
  leftoversStopped: string[];
  /**
   * Called as `test.clock.wait` starts waiting, with its key: lets a test interrupt or drain a
   * run once the slow step is really in flight, rather than after a guessed delay.
   */
  onWait?: (key: string) => void;
}

export function createWorld(): TestWorld {
  return { calls: new Map(), plans: 0, groups: new Set(), things: new Map(), gateClosed: false, inFlight: 0, maxInFlight: 0, leftoversStopped: [] };
}

function count(world: TestWorld, key: string): number {
  const n = (world.calls.get(key) ?? 0) + 1;
  world.calls.set(key, n);
  return n;
}

const object = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({ type: 'object', properties, required, additionalProperties: false });

export function testActions(world: TestWorld): ActionDefinition[] {
  const echo: ActionDefinition<{ value?: unknown; key?: string }> = {
    id: 'test.value.echo',
    description: 'Returns its value as output',
    params: object({ value: {}, key: { type: 'string' } }),
    run(_ctx, params) {
      count(world, `echo:${params.key ?? ''}`);
      return { changed: false, output: { value: params.value ?? null } };
    },
    plan(_ctx, params) {
      world.plans++;
      return { changes: [], output: { value: params.value ?? null } };
    },
  };
  const flaky: ActionDefinition<{ key: string; failures: number; retry_after_ms?: number }> = {
    id: 'test.flaky.call',
    description: 'Fails transiently `failures` times, then succeeds',
    params: object({ key: { type: 'string' }, failures: { type: 'integer' }, retry_after_ms: { type: 'integer' } }, ['key', 'failures']),
    run(_ctx, params) {
      const n = count(world, `flaky:${params.key}`);
      if (n <= params.failures) {
        throw new TransientError(`upstream 503 (call ${n})`, params.retry_after_ms === undefined ? {} : { retryAfterMs: params.retry_after_ms });
      }
      return { changed: true, output: { calls: n } };
    },
  };
  const gate: ActionDefinition<{ key?: string }> = {
    id: 'test.gate.pass',
    description: 'Fails permanently while the gate is closed',
    params: object({ key: { type: 'string' } }),
    run(_ctx, params) {
      count(world, `gate:${params.key ?? ''}`);
      if (world.gateClosed) throw new PermanentError('403 Forbidden: the gate is closed');
      return { changed: true, output: { passed: true }, summary: 'passed the gate' };
    },
  };
  const wait: ActionDefinition<{ ms: number; honour_signal?: boolean; key?: string }> = {
    id: 'test.clock.wait',
    description: 'Waits',
    params: object({ ms: { type: 'integer' }, honour_signal: { type: 'boolean', default: true }, key: { type: 'string' } }, ['ms']),
    async run(ctx, params) {
      count(world, `wait:${params.key ?? ''}`);
      world.inFlight++;
      world.maxInFlight = Math.max(world.maxInFlight, world.inFlight);
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, params.ms);
          if (params.honour_signal !== false) ctx.signal.addEventListener('abort', () => { clearTimeout(timer); reject(ctx.signal.reason); }, { once: true });
          world.onWait?.(params.key ?? '');
        });
      } finally {
        world.inFlight--;
      }
      return { changed: false, output: { waited: params.ms } };
    },
  };
  const removeGroups: ActionDefinition<{ crash_after?: number }> = {
    id: 'test.groups.remove',
    description: 'Removes every membership in the world, one change each; can fail part-way on its first attempt',
    params: object({ crash_after: { type: 'integer' } }),
    run(ctx, params) {
      const n = count(world, 'groups');
      let removedNow = 0;
      for (const group of [...world.groups].sort()) {
        if (n === 1 && params.crash_after !== undefined && removedNow === params.crash_after) throw new TransientError('connection reset');
        world.groups.delete(group);
        ctx.changes.record({ target: `group ${group}`, operation: 'remove', before: 'member', after: 'not a member' });
        removedNow++;
      }
      const removed = ctx.changes.all().filter((c) => c.result === 'changed').length;
      return { changed: removed > 0, output: { removed }, summary: `removed from ${removed} groups` };
    },
    plan() {
      world.plans++;
      const groups = [...world.groups].sort();
      return { changes: groups.map((g) => ({ target: `group ${g}`, operation: 'remove' })), output: { removed: groups.length } };
    },
  };
  // A thing's id is given when it is made: a plan knows it only after the run.
  const createThing: ActionDefinition<{ name: string }> = {
    id: 'test.thing.create',
    description: 'Makes a thing; its id exists once it is made',
    params: object({ name: { type: 'string' } }, ['name']),
    run(_ctx, params) {
      count(world, 'create');
      const made = !world.things.has(params.name);
      if (made) world.things.set(params.name, []);
      return { changed: made, output: { id: `id-${params.name}`, name: params.name } };
    },
    plan(_ctx, params) {
      world.plans++;
      if (world.things.has(params.name)) return { changes: [], output: { id: `id-${params.name}`, name: params.name } };
      return { changes: [{ target: `thing ${params.name}`, operation: 'create' }], output: { id: knownAfterRun(`id of the new thing ${params.name}`, { planned: { name: params.name } }), name: params.name } };
    },
  };
  // Tags a thing by id, and plans with a thing that is only planned (by the name the plan knows).
  const tagThing: ActionDefinition<{ id: string; tag: string }> = {
    id: 'test.thing.tag',
    description: 'Tags a thing given by id',
    params: object({ id: { type: 'string', pattern: '^id-' }, tag: { type: 'string' } }, ['id', 'tag']),
    plansKnownAfterRun: ['id'],
    run(_ctx, params) {
      count(world, 'tag');
      const tags = world.things.get(params.id.slice(3)) ?? [];
      if (tags.includes(params.tag)) return { changed: false };
      world.things.set(params.id.slice(3), [...tags, params.tag]);
      return { changed: true };
    },
    plan(_ctx, params) {
      world.plans++;
      const id: unknown = params.id;
      const name = isKnownAfterRun(id) ? `the new thing ${String(id.planned?.['name'])}` : `thing ${params.id.slice(3)}`;
      return { changes: [{ target: name, operation: 'add_tag', after: params.tag }], summary: `would tag ${name} ${params.tag}` };
    },
  };
  const noPreview: ActionDefinition = {
    id: 'test.opaque.act',
    description: 'Has no plan()',
    params: object({}),
    run() {
      count(world, 'opaque');
      return { changed: true, output: { id: 'x' } };
    },
  };
  const typed: ActionDefinition<{ count: number; names?: string[] }> = {
    id: 'test.typed.take',
    description: 'Takes typed parameters',
    params: object({ count: { type: 'integer' }, names: { type: 'array', items: { type: 'string' } }, mode: { type: 'string', default: 'fast' } }, ['count']),
    run(_ctx, params) {
      count(world, 'typed');
      return { changed: false, output: params };
    },
    plan(_ctx, params) {
      world.plans++;
      return { changes: [], output: params };
    },
  };
  const secretive: ActionDefinition<{ token: string }> = {
    id: 'test.secret.use',
    description: 'Takes a parameter marked x-secret',
    params: object({ token: { type: 'string', 'x-secret': true } }, ['token']),
    run(ctx, params) {
      ctx.logger.info(`using token ${params.token}`);
      return { changed: false, output: { length: params.token.length, echoed: params.token } };
    },
  };
  const ender: ActionDefinition<{ reason?: string }> = {
    id: 'test.run.end',
    description: 'Ends the run early when given a reason',
    params: object({ reason: { type: 'string' } }),
    run(_ctx, params) {
      count(world, 'end');
      return { changed: false, output: { ended: params.reason !== undefined }, ...(params.reason === undefined ? {} : { endRun: { reason: params.reason } }) };
    },
    plan(_ctx, params) {
      return { changes: [], output: { ended: params.reason !== undefined }, ...(params.reason === undefined ? {} : { endRun: { reason: params.reason } }) };
    },
  };
  const fanout: ActionDefinition<Record<string, never>> = {
    id: 'test.fanout.fail',
    description: 'Starts a slow call and a failing one together (Promise.all), like a step sending several requests',
    params: object({}),
    async run(ctx) {
      count(world, 'fanout');
      const slow = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, 5000);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          world.leftoversStopped.push(ctx.signal.reason instanceof Error ? ctx.signal.reason.message : String(ctx.signal.reason));
          reject(ctx.signal.reason);
        }, { once: true });
      });
      const failing = new Promise<void>((_resolve, reject) => setTimeout(() => reject(new TransientError('503 Service Unavailable')), 5));
      await Promise.all([slow, failing]);
      return { changed: false };
    },
  };
  const ranged: ActionDefinition<{ user: string; days?: number; mode?: string; to?: string[] }> = {
    id: 'test.range.take',
    description: 'Takes parameters with ranges and formats, and a rule relating two of them (like a deactivation)',
    params: {
      ...object({
        user: { type: 'string' },
        days: { type: 'integer', minimum: 0 },
        mode: { type: 'string', enum: ['disable', 'delete'] },
        to: { type: 'array', items: { type: 'string', format: 'email' } },
      }, ['user']),
      // A deletion keeps no days. Without "required" in the "if", an absent mode passes it, so
      // the rule can only be judged once both are known (the pre-run check leaves it alone).
      if: { properties: { mode: { const: 'delete' } } },
      then: { properties: { days: { maximum: 0 } } },
    },
    run(_ctx, params) {
      count(world, 'ranged');
      return { changed: true, output: params };
    },
    plan(_ctx, params) {
      world.plans++;
      return { changes: [{ target: `user ${params.user}`, operation: 'take' }], output: params };
    },
  };
  return [createThing, tagThing, echo, flaky, gate, wait, removeGroups, noPreview, typed, secretive, ender, fanout, ranged];
}
