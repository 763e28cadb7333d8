import { PermanentError } from '../../../engine/errors/action-errors.js';
import type { Change } from '../../../engine/plugin-api/action.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import type { GraphAttributes } from '../types.js';
import { readDirectEdges } from './access-snapshot.js';
import { namedRefSchema, REMOVAL_CONCURRENCY } from './association-removal.js';
import { makeChange, settleIntents } from './change-intent.js';
import { changedObjects, objectState, recordReported } from './change-tally.js';
import { openJumpCloud } from './client-for-context.js';
import { connectionOf, connectionProperties, userIdProperty } from './common-params.js';
import { forEachLimit } from './for-each-limit.js';
import { refOf } from './group-refs.js';
import { plural, targetLabel, type NamedRef } from './names.js';
import { allowProtectedProperty, guardUserChange } from './protected-accounts.js';
import { plannedUserOf } from './planned-user.js';
import { markRunSnapshotStale, onRunSnapshot } from './run-snapshots.js';
import { findSystems, givenSystemsProperty, type GivenSystem } from './system-refs.js';
import { UserSnapshot } from './user-snapshot.js';

const ID = 'jumpcloud.user.systems.bind';

/** The sudo options of a binding, as the step takes and reports them. */
export interface SudoOptions {
  enabled: boolean;
  without_password: boolean;
}

const sudoProperty = {
  type: 'object',
  description: 'Administrator rights on the bound systems (the binding\'s sudo attribute). Left out: a new binding gets none, an existing binding keeps its own. Given: a system already bound with other sudo options is updated to these.',
  properties: {
    enabled: { type: 'boolean', description: 'The user may use sudo (or is a local administrator on Windows).' },
    without_password: { type: 'boolean', default: false, description: 'sudo without a password; needs enabled: true.' },
  },
  required: ['enabled'],
  additionalProperties: false,
  // Checked when the workflow is loaded too (JumpCloud: withoutPassword "requires 'enabled' to be true").
  allOf: [{ if: { properties: { without_password: { const: true } }, required: ['without_password'] }, then: { properties: { enabled: { const: true } } } }],
} as const;

const params = {
  type: 'object',
  description: 'Binds the user directly to the systems given by display name, hostname or id; a system already bound with the same sudo options is left as it is.',
  properties: {
    user_id: userIdProperty,
    systems: givenSystemsProperty,
    sudo: sudoProperty,
    allow_protected: allowProtectedProperty,
    ...connectionProperties,
  },
  required: ['user_id', 'systems'],
  additionalProperties: false,
} as const;

/** What `jumpcloud.user.systems.bind` returns. */
export interface SystemsBindOutput {
  /** New bindings this step made (across attempts). */
  bound: number;
  systems: NamedRef[];
  /** Existing bindings whose sudo options this step changed. */
  sudo_updated: NamedRef[];
  /** Systems already bound as asked: nothing was changed for them. */
  already_bound: NamedRef[];
}

const outputSchema = {
  type: 'object',
  properties: {
    bound: { type: 'integer', minimum: 0 },
    systems: { type: 'array', items: namedRefSchema, description: 'The systems this step bound the user to.' },
    sudo_updated: { type: 'array', items: namedRefSchema, description: 'Systems already bound whose sudo options this step changed.' },
    already_bound: { type: 'array', items: namedRefSchema, description: 'Systems already bound as asked.' },
  },
  required: ['bound', 'systems', 'sudo_updated', 'already_bound'],
  additionalProperties: false,
} as const;

const NO_SUDO: SudoOptions = { enabled: false, without_password: false };

/** The sudo options of an edge (none means no rights). */
function sudoOf(attributes: GraphAttributes | null | undefined): SudoOptions {
  const sudo = attributes?.sudo;
  return sudo === undefined ? NO_SUDO : { enabled: sudo.enabled === true, without_password: sudo.withoutPassword === true };
}

/**
 * The sudo options asked for, checked: sudo without a password needs sudo (JumpCloud:
 * "requires 'enabled' to be true"). Undefined when the step gives none.
 * @throws PermanentError `INVALID_PARAMS` before any request.
 */
function askedSudo(sudo: { enabled: boolean; without_password?: boolean } | undefined): SudoOptions | undefined {
  if (sudo === undefined) return undefined;
  const asked = { enabled: sudo.enabled, without_password: sudo.without_password ?? false };
  if (asked.without_password && !asked.enabled) {
    throw new PermanentError(`${ID}: sudo.without_password is true but sudo.enabled is false; sudo without a password needs sudo (set enabled: true, or leave without_password out)`, { code: 'INVALID_PARAMS' });
  }
  return asked;
}

interface Plan {
  bind: GivenSystem[];
  update: Array<{ system: GivenSystem; from: SudoOptions }>;
  untouched: GivenSystem[];
}

async function planBindings(client: JumpCloudClient, snapshot: UserSnapshot, entries: readonly string[], sudo: SudoOptions | undefined): Promise<Plan> {
  const [systems, edges] = await Promise.all([findSystems(client, ID, entries), readDirectEdges(client, snapshot, 'system')]);
  const bound = new Map(edges.map((edge) => [edge.id, edge.attributes]));
  const plan: Plan = { bind: [], update: [], untouched: [] };
  for (const system of systems) {
    if (!bound.has(system.id)) plan.bind.push(system);
    else {
      const from = sudoOf(bound.get(system.id));
      if (sudo !== undefined && (from.enabled !== sudo.enabled || from.without_password !== sudo.without_password)) plan.update.push({ system, from });
      else plan.untouched.push(system);
    }
  }
  return plan;
}

function bindChange(system: GivenSystem, sudo: SudoOptions | undefined): Change {
  return {
    target: targetLabel('system', system),
    operation: 'bind',
    before: objectState('system', system, { bound: false }),
    after: objectState('system', system, { bound: true, ...(sudo === undefined ? {} : { sudo }) }),
  };
}

function sudoChange(system: GivenSystem, from: SudoOptions, to: SudoOptions): Change {
  return {
    target: targetLabel('system', system),
    operation: 'set_sudo',
    before: objectState('system', system, { bound: true, sudo: from }),
    after: objectState('system', system, { bound: true, sudo: to }),
  };
}

function untouchedChange(system: GivenSystem): Omit<Change, 'result'> {
  return { target: targetLabel('system', system), operation: 'report', note: 'already bound with these sudo options: nothing to change' };
}

const graphSudo = (sudo: SudoOptions): GraphAttributes => ({ sudo: { enabled: sudo.enabled, withoutPassword: sudo.without_password } });

function summaryOf(verb: string, bound: number, updated: number, untouched: number): string {
  const parts = [`${verb} ${plural(bound, 'system')}`];
  if (updated > 0) parts.push(`sudo ${verb === 'bound to' ? 'changed' : 'would change'} on ${plural(updated, 'system')}`);
  if (untouched > 0) parts.push(`already bound to ${plural(untouched, 'system')}`);
  return parts.join('; ');
}

/** `jumpcloud.user.systems.bind`: binds one user to systems given by display name, hostname or id. */
export const userSystemsBindAction = defineAction({
  id: ID,
  description: 'Bind a JumpCloud user to systems given by display name, hostname or id, with optional sudo options (a system already bound as asked is left as is)',
  params,
  output: outputSchema,
  examples: [
    { description: 'Bind the new hire to their laptop', with: { user_id: '{{steps.create.output.user.id}}', systems: ['JSMITH-MBP'] } },
    { description: 'Give an engineer sudo on two build servers', with: { user_id: '{{steps.lookup.output.user.id}}', systems: ['build-server-01', 'build-server-02'], sudo: { enabled: true, without_password: false } } },
  ],
  async run(ctx, p) {
    const sudo = askedSudo(p.sudo);
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const { client } = session;
    return onRunSnapshot(ctx, client, p.user_id, async (snapshot) => {
      await guardUserChange(ctx, session, snapshot, p.allow_protected, 'bound to systems');
      const plan = await planBindings(client, snapshot, p.systems, sudo);
      await forEachLimit(plan.bind, REMOVAL_CONCURRENCY, async (system) => {
        ctx.logger.info(`Binding user ${p.user_id} to system "${system.name}" (${system.id})`);
        const attributes = sudo === undefined ? {} : { attributes: graphSudo(sudo) };
        await makeChange(ctx, bindChange(system, sudo), async () => (await client.addUserAssociation(p.user_id, 'system', system.id, attributes)).changed);
      });
      await forEachLimit(plan.update, REMOVAL_CONCURRENCY, async ({ system, from }) => {
        const to = sudo as SudoOptions;
        ctx.logger.info(`Changing the sudo options of user ${p.user_id} on system "${system.name}" (${system.id})`);
        await makeChange(ctx, sudoChange(system, from, to), async () => {
          await client.updateUserAssociation(p.user_id, 'system', system.id, graphSudo(to));
          return true;
        });
      });
      // A binding an interrupted attempt made (its intent open) is found as asked now: counted here.
      settleIntents(ctx, ['bind', 'set_sudo']);
      const bound = changedObjects(ctx, ['bind']);
      const updated = changedObjects(ctx, ['set_sudo']);
      const changedIds = new Set([...bound, ...updated].map((s) => s.id));
      const left = plan.untouched.filter((s) => !changedIds.has(s.id));
      for (const system of left) recordReported(ctx, untouchedChange(system));
      // The user's systems changed: the run's later steps read them afresh.
      if (plan.bind.length + plan.update.length > 0) markRunSnapshotStale(ctx, client, p.user_id);
      const output: SystemsBindOutput = { bound: bound.length, systems: bound.map(refOf), sudo_updated: updated.map(refOf), already_bound: left.map(refOf) };
      return { changed: bound.length + updated.length > 0, output, summary: summaryOf('bound to', bound.length, updated.length, left.length) };
    });
  },
  // The user an earlier step would create (its id known only after the run) is planned as bound to nothing yet.
  plansKnownAfterRun: ['user_id'],
  async plan(ctx, p) {
    const sudo = askedSudo(p.sudo);
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const { client } = session;
    const planned = plannedUserOf(p.user_id);
    const known = planned?.snapshot ?? new UserSnapshot(p.user_id as string);
    await guardUserChange(ctx, session, known, p.allow_protected, 'bound to systems');
    const plan = await planBindings(client, known, p.systems, sudo);
    const changes: Change[] = [
      ...plan.bind.map((system) => bindChange(system, sudo)),
      ...plan.update.map(({ system, from }) => sudoChange(system, from, sudo as SudoOptions)),
      ...plan.untouched.map((system) => ({ ...untouchedChange(system), result: 'reported' as const })),
    ];
    const output: SystemsBindOutput = { bound: plan.bind.length, systems: plan.bind.map(refOf), sudo_updated: plan.update.map(({ system }) => refOf(system)), already_bound: plan.untouched.map(refOf) };
    const summary = planned === undefined
      ? summaryOf('would bind to', plan.bind.length, plan.update.length, plan.untouched.length)
      : `would bind ${planned.label} to ${plan.bind.length === 0 ? 'no system' : plan.bind.map((system) => system.name).join(', ')}`;
    return { changes, output, summary };
  },
});
