import type { Change } from '../../../engine/plugin-api/action.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { ChangeOutcome, JumpCloudClient } from '../client/jumpcloud-client.js';
import { namedRefSchema, REMOVAL_CONCURRENCY } from './association-removal.js';
import { makeChange, settleIntents } from './change-intent.js';
import { recordReported } from './change-tally.js';
import { openJumpCloud } from './client-for-context.js';
import { connectionOf, connectionProperties, refListProperty } from './common-params.js';
import { forEachLimit } from './for-each-limit.js';
import { findGivenGroups, refOf, type GivenGroup, type GroupKind } from './group-refs.js';
import { byName, plural, targetLabel, type NamedRef } from './names.js';
import { findSystems, givenSystemsProperty, type GivenSystem } from './system-refs.js';

/** One system's membership of one system group, as the outputs list it. */
export interface SystemMembership {
  system: NamedRef;
  group: NamedRef;
}

/** What `jumpcloud.system.groups.add` and `.remove` return. */
export interface SystemGroupsOutput {
  /** Memberships this step added or removed (across attempts). */
  changed: number;
  memberships: SystemMembership[];
  /** Memberships already as asked: nothing was changed for them. */
  untouched: SystemMembership[];
}

/** What sets `jumpcloud.system.groups.add` apart from `.remove`: only the wording, the side acted on and the call. */
export interface SystemGroupDirection {
  id: string;
  description: string;
  paramsDescription: string;
  exampleDescription: string;
  /** The change operation: `add_member`, `remove_member`. */
  operation: string;
  /** Whether the system is a member of the group once changed. */
  memberAfter: boolean;
  /** The note of a membership already as asked. */
  untouchedNote: string;
  /** `added`, `removed`. */
  done: string;
  /** `to`, `from`. */
  preposition: string;
  /** `Adding`, `Removing`. */
  doing: string;
  /** `add`, `remove`. */
  verb: string;
  call(client: JumpCloudClient, groupId: string, systemId: string): Promise<ChangeOutcome>;
}

const SYSTEM_GROUPS: GroupKind = {
  label: 'system group',
  member: 'system',
  byId: (client, id) => client.getSystemGroup(id),
  byName: (client, name) => client.findSystemGroupsByName(name),
};

const membershipSchema = {
  type: 'object',
  properties: { system: namedRefSchema, group: namedRefSchema },
  required: ['system', 'group'],
  additionalProperties: false,
} as const;

const outputSchema = {
  type: 'object',
  properties: {
    changed: { type: 'integer', minimum: 0, description: 'Memberships this step added or removed.' },
    memberships: { type: 'array', items: membershipSchema, description: 'The memberships this step added or removed, by system then group.' },
    untouched: { type: 'array', items: membershipSchema, description: 'The memberships already as asked: nothing was changed for them.' },
  },
  required: ['changed', 'memberships', 'untouched'],
  additionalProperties: false,
} as const;

const params = (description: string) => ({
  type: 'object',
  description,
  properties: {
    systems: givenSystemsProperty,
    groups: {
      ...refListProperty,
      minItems: 1,
      description: 'The system groups, each by id (24 hex) or exact name. Dynamic groups are refused: their rule decides which systems are members.',
    },
    ...connectionProperties,
  },
  required: ['systems', 'groups'],
  additionalProperties: false,
} as const);

interface Pair {
  system: GivenSystem;
  group: GivenGroup;
}

const pairTarget = ({ system, group }: Pair): string => `${targetLabel('system', system)} in ${targetLabel('system_group', group)}`;

const pairKey = (system: NamedRef, group: NamedRef): string => `${system.id}\u0000${group.id}`;

function byPair(a: SystemMembership, b: SystemMembership): number {
  return byName(a.system, b.system) || byName(a.group, b.group);
}

/**
 * Defines the action that puts systems into, or takes them out of, system groups given by name
 * or id; a membership already as asked is reported, with no call.
 *
 * @remarks
 * A change is one (system, group) pair; its `before` names both (so no single object id keys
 * it, and the write-ahead intent is matched with its outcome by the target, which holds both ids).
 */
export function defineSystemGroupMembershipAction(direction: SystemGroupDirection) {
  const { id, operation, memberAfter } = direction;

  function pairChange(pair: Pair): Change {
    const ends = { system: refOf(pair.system), system_group: refOf(pair.group) };
    return { target: pairTarget(pair), operation, before: { ...ends, member: !memberAfter }, after: { ...ends, member: memberAfter } };
  }

  function untouchedChange(pair: Pair): Omit<Change, 'result'> {
    return { target: pairTarget(pair), operation: 'report', note: direction.untouchedNote };
  }

  /** Every (system, group) pair, split by whether it is to change; one `memberof` read per system. */
  async function split(client: JumpCloudClient, p: { systems: readonly string[]; groups: readonly string[] }): Promise<{ toChange: Pair[]; untouched: Pair[] }> {
    const [systems, groups] = await Promise.all([findSystems(client, id, p.systems), findGivenGroups(client, SYSTEM_GROUPS, id, p.groups, direction.done)]);
    const memberOf = await Promise.all(systems.map(async (system) => new Set((await client.listSystemGroupsOf(system.id)).map((group) => group.id))));
    const toChange: Pair[] = [];
    const untouched: Pair[] = [];
    systems.forEach((system, index) => {
      for (const group of groups) {
        const member = memberOf[index]?.has(group.id) ?? false;
        (member === memberAfter ? untouched : toChange).push({ system, group });
      }
    });
    return { toChange, untouched };
  }

  /** The pairs this step changed, across attempts and a resume. */
  function changedPairs(ctx: Pick<ActionContext, 'changes'>): SystemMembership[] {
    const seen = new Map<string, SystemMembership>();
    for (const change of ctx.changes.all()) {
      if (change.operation !== operation || (change.result !== undefined && change.result !== 'changed')) continue;
      const before = change.before as { system?: NamedRef; system_group?: NamedRef } | undefined;
      if (before?.system === undefined || before.system_group === undefined) continue;
      seen.set(change.target, { system: refOf(before.system), group: refOf(before.system_group) });
    }
    return [...seen.values()].sort(byPair);
  }

  const membership = ({ system, group }: Pair): SystemMembership => ({ system: refOf(system), group: refOf(group) });
  const untouchedNote = (count: number): string => (count > 0 ? `; ${plural(count, 'membership')} already as asked` : '');

  return defineAction({
    id,
    description: direction.description,
    params: params(direction.paramsDescription),
    output: outputSchema,
    examples: [{ description: direction.exampleDescription, with: { systems: ['FIN-WS-01', 'SALES-LT-07'], groups: ['Quarantine'] } }],
    async run(ctx, p) {
      const { client } = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
      const { toChange, untouched } = await split(client, p);
      await forEachLimit(toChange, REMOVAL_CONCURRENCY, async (pair) => {
        ctx.logger.info(`${direction.doing} system "${pair.system.name}" (${pair.system.id}) ${direction.preposition} system group "${pair.group.name}" (${pair.group.id})`);
        await makeChange(ctx, pairChange(pair), async () => (await direction.call(client, pair.group.id, pair.system.id)).changed);
      });
      // A membership an interrupted attempt changed (its intent open) is found as asked now: counted here.
      settleIntents(ctx, [operation]);
      const changed = changedPairs(ctx);
      const changedKeys = new Set(changed.map((m) => pairKey(m.system, m.group)));
      const left = untouched.filter((pair) => !changedKeys.has(pairKey(pair.system, pair.group)));
      for (const pair of left) recordReported(ctx, untouchedChange(pair));
      const output: SystemGroupsOutput = { changed: changed.length, memberships: changed, untouched: left.map(membership).sort(byPair) };
      return { changed: changed.length > 0, output, summary: `${direction.done} ${plural(changed.length, 'membership')}${untouchedNote(left.length)}` };
    },
    async plan(ctx, p) {
      const { client } = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
      const { toChange, untouched } = await split(client, p);
      const changes: Change[] = [...toChange.map(pairChange), ...untouched.map((pair) => ({ ...untouchedChange(pair), result: 'reported' as const }))];
      const output: SystemGroupsOutput = { changed: toChange.length, memberships: toChange.map(membership).sort(byPair), untouched: untouched.map(membership).sort(byPair) };
      return { changes, output, summary: `would ${direction.verb} ${plural(toChange.length, 'membership')}${untouchedNote(untouched.length)}` };
    },
  });
}
