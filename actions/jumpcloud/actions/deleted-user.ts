import { CancelledError, TimeoutError } from '../../../engine/errors/action-errors.js';
import type { ActionLogger } from '../../../engine/plugin-api/context.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import type { DirectoryEvent } from '../types.js';

/** A user's deletion, as Directory Insights recorded it (`user_delete`). */
export interface Deletion {
  user_id: string;
  username: string | null;
  email: string | null;
  /** When it was deleted (the event's timestamp). */
  deleted_at: string;
  /** Who deleted it: the administrator's email or id, when the event says. */
  deleted_by: string | null;
}

/** How far back the deletion is looked for: Directory Insights' default retention. */
const LOOKBACK_MS = 90 * 86_400_000;
/** Events per page, and pages read at most (newest first): 10,000 deletions. */
const PAGE_SIZE = 1000;
const MAX_PAGES = 10;

/**
 * The most recent deletion of the user an identifier names (its id, its username, or its email
 * without regard to case), from the `user_delete` events of Directory Insights' last 90 days.
 *
 * @remarks
 * This is how the lookup tells "already deleted" (an earlier offboarding with `removal_mode:
 * delete`, or an administrator) from "no such user" (a typo): JumpCloud keeps nothing else of a
 * deleted user. It is only asked after the lookup found nobody. When Directory Insights cannot be
 * read (an administrator without access to it, an outage), the answer is undefined and the
 * lookup reports "no user matches" as it would without it.
 */
export async function findDeletion(client: JumpCloudClient, identifier: string, logger: Pick<ActionLogger, 'debug'>): Promise<Deletion | undefined> {
  const wanted = identifier.toLowerCase();
  const names = (event: DirectoryEvent): boolean => {
    const resource = event.resource ?? {};
    return [resource.id, resource.username, resource.email].some((value) => typeof value === 'string' && value.toLowerCase() === wanted);
  };
  const startTime = new Date(Date.now() - LOOKBACK_MS).toISOString();
  let searchAfter: Array<string | number> | undefined;
  try {
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await client.queryDirectoryEvents({
        service: ['directory'],
        startTime,
        sort: 'DESC',
        limit: PAGE_SIZE,
        searchTerm: { and: [{ event_type: 'user_delete' }] },
        ...(searchAfter === undefined ? {} : { searchAfter }),
      });
      const event = result.events.find((candidate) => candidate.event_type === 'user_delete' && names(candidate));
      if (event !== undefined) return deletionOf(event);
      if (!result.hasMore) return undefined;
      searchAfter = result.searchAfter;
    }
  } catch (error) {
    if (error instanceof CancelledError || error instanceof TimeoutError) throw error;
    logger.debug(`Directory Insights could not be read to check whether "${identifier}" was deleted: ${(error as Error).message}`);
  }
  return undefined;
}

function deletionOf(event: DirectoryEvent): Deletion {
  const resource = event.resource ?? {};
  const by = event.initiated_by;
  return {
    user_id: typeof resource.id === 'string' ? resource.id : '',
    username: typeof resource.username === 'string' ? resource.username : null,
    email: typeof resource.email === 'string' ? resource.email : null,
    deleted_at: event.timestamp,
    deleted_by: by?.email ?? by?.username ?? by?.id ?? null,
  };
}

/** `tom.wilson <tom.wilson@company.com> (64a0…) was deleted at 2026-03-04T15:31:00Z by admin@company.com`. */
export function describeDeletion(deletion: Deletion): string {
  const who = [deletion.username, deletion.email === null ? undefined : `<${deletion.email}>`, deletion.user_id === '' ? undefined : `(${deletion.user_id})`]
    .filter((part) => part !== undefined && part !== null)
    .join(' ');
  return `${who} was deleted at ${deletion.deleted_at}${deletion.deleted_by === null ? '' : ` by ${deletion.deleted_by}`}`;
}
