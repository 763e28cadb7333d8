import { AmbiguousError, NotFoundError, PermanentError } from '../../../engine/errors/action-errors.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import { isJumpCloudId } from '../client/object-id.js';
import type { System } from '../types.js';
import { refListProperty } from './common-params.js';
import { byName, UNNAMED, type NamedRef } from './names.js';

/** The `systems` parameter of the steps that act on given systems. */
export const givenSystemsProperty = {
  ...refListProperty,
  minItems: 1,
  description: 'The systems (devices), each by id (24 hex), exact display name or exact hostname. A name several systems share is refused, listing them: give the id.',
} as const;

/** A system the step was given, found in JumpCloud. */
export interface GivenSystem extends NamedRef {
  hostname: string | undefined;
  os: string | undefined;
  osFamily: string | undefined;
}

function givenSystem(system: System): GivenSystem {
  return { id: system._id, name: system.displayName ?? system.hostname ?? UNNAMED, hostname: system.hostname, os: system.os, osFamily: system.osFamily };
}

/** How a candidate is listed in an ambiguity error: display name, hostname and id. */
function candidate(system: System): string {
  const host = system.hostname !== undefined && system.hostname !== system.displayName ? `, hostname ${system.hostname}` : '';
  return `${system.displayName ?? UNNAMED} (${system._id}${host})`;
}

/** One given system by id, display name or hostname; an entry that matches none, or several, is an error naming it. */
async function findSystem(client: JumpCloudClient, actionId: string, entry: string, index: number): Promise<GivenSystem> {
  const given = entry.trim();
  const where = `${actionId}: systems[${index}] "${given}"`;
  if (given === '') throw new PermanentError(`${where} is blank`, { code: 'INVALID_PARAMS' });
  let found: System[];
  if (isJumpCloudId(given.toLowerCase())) {
    try {
      found = [await client.getSystem(given.toLowerCase())];
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      // A device may be named like an id: look it up by name before saying it does not exist.
      found = await client.findSystemsByName(given);
    }
  } else {
    found = await client.findSystemsByName(given);
  }
  if (found.length === 0) throw new NotFoundError(`${where}: no JumpCloud system has this id, display name or hostname`, { details: { system: given } });
  // Display names are not unique in JumpCloud (two laptops may both be "MacBook Pro"): never guess.
  if (found.length > 1) {
    throw new AmbiguousError(`${where}: ${found.length} JumpCloud systems have this display name or hostname; give the id of the one meant`, found.map(candidate).sort());
  }
  return givenSystem(found[0] as System);
}

/**
 * The systems a step was given (its `systems` parameter), each found once (a system given by name
 * and by id counts once), by name.
 * @throws NotFoundError naming the entry that matches no system; AmbiguousError listing the
 *   candidates of a name several systems have; both before anything changes.
 */
export async function findSystems(client: JumpCloudClient, actionId: string, entries: readonly string[]): Promise<GivenSystem[]> {
  const found = await Promise.all(entries.map((entry, index) => findSystem(client, actionId, entry, index)));
  return [...new Map(found.map((system) => [system.id, system])).values()].sort(byName);
}
