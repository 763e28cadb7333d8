import { IdflowError } from '../../../engine/errors/idflow-error.js';
import { PermanentError } from '../../../engine/errors/action-errors.js';
import type { Change } from '../../../engine/plugin-api/action.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import { BUILTIN_COMMANDS, type BuiltinCommand } from '../client/jumpcloud-client.js';
import { namedRefSchema } from './association-removal.js';
import { objectState } from './change-tally.js';
import { openJumpCloud } from './client-for-context.js';
import { connectionOf, connectionProperties } from './common-params.js';
import { forEachLimit } from './for-each-limit.js';
import { refOf } from './group-refs.js';
import { byName, plural, targetLabel, type NamedRef } from './names.js';
import { findSystems, givenSystemsProperty, type GivenSystem } from './system-refs.js';

const ID = 'jumpcloud.system.command';
const OPERATION = 'send_command';
// Commands sent at once: a handful, so that a kill leaves few of them uncertain.
const COMMAND_CONCURRENCY = 4;

/** The note of a command an interrupted attempt may have sent: it is never sent again. */
export const MAYBE_SENT =
  'may have been sent: an earlier attempt recorded its intent but not JumpCloud\'s answer (it was interrupted), so the command is not sent again; check the device, or the command results in the JumpCloud console';

const WHAT: Readonly<Record<BuiltinCommand, string>> = {
  lock: 'locks the device',
  restart: 'restarts the device',
  shutdown: 'shuts the device down',
  erase: 'erases the device: everything on it is lost',
};

const params = {
  type: 'object',
  description: 'Sends a built-in command to each system given by display name, hostname or id. A plan never sends one; a resumed or retried step never sends one twice to the same system.',
  properties: {
    systems: givenSystemsProperty,
    command: { type: 'string', enum: [...BUILTIN_COMMANDS], description: 'lock, restart, shutdown, or erase (wipes the device; needs confirm: erase). JumpCloud runs these on Linux and Windows devices (queued until an offline device comes back); macOS devices take Apple MDM commands instead and are refused.' },
    confirm: { type: 'string', enum: ['erase'], description: 'Must be "erase" when command is erase: a wipe cannot be undone, so it is never sent without it.' },
    ...connectionProperties,
  },
  required: ['systems', 'command'],
  additionalProperties: false,
  // Checked when the workflow is loaded, so a wipe without its confirmation fails before any step runs.
  allOf: [{ if: { properties: { command: { const: 'erase' } }, required: ['command'] }, then: { required: ['confirm'] } }],
} as const;

/** One system a command was sent to, with what JumpCloud answered. */
export interface SentCommand {
  system: NamedRef;
  /** JumpCloud's answer: the documents describe none ("201 Command created"), so null unless it sent a body. */
  response: unknown;
}

/** What `jumpcloud.system.command` returns. */
export interface SystemCommandOutput {
  command: BuiltinCommand;
  /** Systems the command was sent to (across attempts). */
  sent: SentCommand[];
  /** Systems an interrupted attempt may have sent it to: not sent again, to be checked by hand. */
  uncertain: NamedRef[];
}

const outputSchema = {
  type: 'object',
  properties: {
    command: { type: 'string', enum: [...BUILTIN_COMMANDS] },
    sent: {
      type: 'array',
      items: { type: 'object', properties: { system: namedRefSchema, response: { description: 'What JumpCloud answered (null when it sent no body, as documented).' } }, required: ['system', 'response'], additionalProperties: false },
    },
    uncertain: { type: 'array', items: namedRefSchema, description: 'Systems an interrupted attempt may have sent the command to: it is not sent again.' },
  },
  required: ['command', 'sent', 'uncertain'],
  additionalProperties: false,
} as const;

/** The step's own check of what the schema already checks at load: an erase needs `confirm: erase`. */
function checkConfirmed(command: BuiltinCommand, confirm: string | undefined): void {
  if (command === 'erase' && confirm !== 'erase') {
    throw new PermanentError(`${ID}: command erase wipes the device and cannot be undone; the step must also set confirm: erase`, { code: 'INVALID_PARAMS' });
  }
}

/** JumpCloud runs built-in commands on Linux and Windows devices only (macOS takes MDM commands). */
function isSupported(system: GivenSystem): boolean {
  const family = system.osFamily?.toLowerCase();
  if (family !== undefined && family !== '') return family === 'linux' || family === 'windows';
  return /windows|linux|ubuntu|debian|centos|red ?hat|rhel|fedora|amazon|suse|rocky|alma/i.test(system.os ?? '');
}

/** @throws PermanentError `JUMPCLOUD_COMMAND_UNSUPPORTED` naming every system that cannot take the command, before any is sent. */
function refuseUnsupported(command: BuiltinCommand, systems: readonly GivenSystem[]): void {
  const unsupported = systems.filter((system) => !isSupported(system));
  if (unsupported.length === 0) return;
  throw new PermanentError(
    `${ID}: JumpCloud runs the built-in ${command} command on Linux and Windows devices only; ${unsupported.map((s) => `"${s.name}" (${s.id}, ${s.os ?? 'unknown OS'})`).join(', ')} cannot take it (use Apple MDM security commands for macOS devices); nothing was sent`,
    { code: 'JUMPCLOUD_COMMAND_UNSUPPORTED', details: { systems: unsupported.map(({ id, name, os }) => ({ id, name, os: os ?? null })) } },
  );
}

function commandChange(system: NamedRef, command: BuiltinCommand): Change {
  return {
    target: targetLabel('system', system),
    operation: OPERATION,
    before: objectState('system', system, { command, sent: false }),
    after: objectState('system', system, { command, sent: true }),
    note: WHAT[command],
  };
}

/** Where each system stands from the earlier attempts' journal: sent, maybe sent, or still to send. */
function earlierOutcomes(ctx: Pick<ActionContext, 'changes'>): Map<string, Change> {
  const last = new Map<string, Change>();
  for (const change of ctx.changes.earlier()) {
    if (change.operation !== OPERATION) continue;
    const id = (change.before as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') last.set(id, change);
  }
  return last;
}

/**
 * True for a failure that proves JumpCloud did not take the command: it answered with a 4xx
 * (refused, including 429 "too many requests"). A 5xx, a timeout or a dropped connection
 * proves nothing: the command may have been created.
 */
function refusedForSure(error: unknown): boolean {
  const status = error instanceof IdflowError ? error.details['status'] : undefined;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** `jumpcloud.system.command`: lock, restart, shut down or erase systems, each command sent at most once per step. */
export const systemCommandAction = defineAction({
  id: ID,
  description: 'Send a built-in command (lock, restart, shutdown, or erase with confirm: erase) to JumpCloud systems given by display name, hostname or id; a plan sends nothing, and a retried or resumed step never sends the command twice to a system (one it may have sent is reported as uncertain)',
  params,
  output: outputSchema,
  examples: [
    { description: 'Lock a lost laptop', with: { systems: ['SALES-LT-07'], command: 'lock' } },
    { description: 'Wipe a stolen workstation', with: { systems: ['FIN-WS-02'], command: 'erase', confirm: 'erase' } },
  ],
  async run(ctx, p) {
    checkConfirmed(p.command, p.confirm);
    const { client } = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const systems = await findSystems(client, ID, p.systems);
    refuseUnsupported(p.command, systems);
    const earlier = earlierOutcomes(ctx);
    const sent: SentCommand[] = [];
    const uncertain: NamedRef[] = [];
    const toSend: GivenSystem[] = [];
    for (const system of systems) {
      const outcome = earlier.get(system.id);
      if (outcome?.result === 'changed') {
        sent.push({ system: refOf(system), response: (outcome.after as { response?: unknown } | undefined)?.response ?? null });
      } else if (outcome?.result === 'started' || (outcome?.result === 'reported' && outcome.note === MAYBE_SENT)) {
        uncertain.push(refOf(system));
        if (outcome.result === 'started') ctx.changes.record({ ...commandChange(system, p.command), result: 'reported', note: MAYBE_SENT });
        ctx.logger.warn(`The ${p.command} command may already have been sent to system "${system.name}" (${system.id}) by an interrupted attempt; it is not sent again`);
      } else {
        toSend.push(system);
      }
    }
    const failures: unknown[] = [];
    await forEachLimit(toSend, COMMAND_CONCURRENCY, async (system) => {
      const change = commandChange(system, p.command);
      // Recorded before the request: killed after it, the next attempt knows it may have gone out.
      ctx.changes.record({ ...change, result: 'started' });
      ctx.logger.info(`Sending the ${p.command} command to system "${system.name}" (${system.id})`);
      try {
        const answer = await client.runBuiltinCommand(system.id, p.command);
        const response = answer.body ?? null;
        ctx.changes.record({ ...change, after: { ...(change.after as object), response }, result: 'changed' });
        sent.push({ system: refOf(system), response });
      } catch (error) {
        // Refused: nothing was sent, so a retry may send it. Otherwise the intent stays open.
        if (refusedForSure(error)) ctx.changes.record({ ...change, result: 'failed', note: `not sent: ${(error as Error).message}` });
        failures.push(error);
      }
    });
    if (failures.length > 0) throw failures[0];
    sent.sort((a, b) => byName(a.system, b.system));
    uncertain.sort(byName);
    const output: SystemCommandOutput = { command: p.command, sent, uncertain };
    const note = uncertain.length > 0 ? `; ${plural(uncertain.length, 'system')} may have had it from an interrupted attempt (not sent again)` : '';
    return { changed: sent.length > 0, output, summary: `${p.command} sent to ${plural(sent.length, 'system')}${note}` };
  },
  async plan(ctx, p) {
    checkConfirmed(p.command, p.confirm);
    const { client } = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const systems = await findSystems(client, ID, p.systems);
    refuseUnsupported(p.command, systems);
    const output: SystemCommandOutput = { command: p.command, sent: systems.map((system) => ({ system: refOf(system), response: null })), uncertain: [] };
    return { changes: systems.map((system) => commandChange(system, p.command)), output, summary: `would send ${p.command} to ${plural(systems.length, 'system')}` };
  },
});
