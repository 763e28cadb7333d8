import type { ActionContext } from '../../../engine/plugin-api/context.js';
import type { JumpCloudClient } from '../client/jumpcloud-client.js';
import type { SystemUser } from '../types.js';
import { UserSnapshot } from './user-snapshot.js';

/**
 * The longest a step acts on a run's snapshot after it was opened, in milliseconds. An
 * offboarding takes seconds; a snapshot older than this (a run slowed down by throttling, or one
 * left behind by a session that stopped at a step outside this pack) is read afresh.
 */
export const RUN_SNAPSHOT_MAX_AGE_MS = 60_000;

// Snapshots of runs in flight in this process: a bulk run holds one per run in flight, and
// `idflow serve` one per run it drives. Bounded, so that runs that never reach the
// verification do not keep theirs for ever (an evicted snapshot is only read again).
const MAX_SNAPSHOTS = 256;

/**
 * `open`: the steps of the run act on it. `stale`: a step of the run failed or was stopped
 * after the snapshot was opened, so what the snapshot says may no longer be what JumpCloud
 * holds; the next step opens a fresh one.
 */
type Entry = { state: 'open'; snapshot: UserSnapshot; openedAt: number } | { state: 'stale' };

const entries = new Map<string, Entry>();

function keyOf(ctx: Pick<ActionContext, 'runId'>, client: JumpCloudClient, userId: string): string {
  return `${ctx.runId}\u0000${client.baseUrl}\u0000${client.orgId ?? ''}\u0000${userId}`;
}

function put(key: string, entry: Entry): void {
  // Most recently used last, so the run idle the longest is the one dropped.
  entries.delete(key);
  if (entries.size >= MAX_SNAPSHOTS) {
    const oldest = entries.keys().next();
    if (oldest.done !== true) entries.delete(oldest.value);
  }
  entries.set(key, entry);
}

function fresh(userId: string, key: string): UserSnapshot {
  const snapshot = new UserSnapshot(userId);
  put(key, { state: 'open', snapshot, openedAt: Date.now() });
  return snapshot;
}

/**
 * Opens the run's snapshot of the user the lookup found, with the record it read (and the
 * manager's, when it read one): the start of every new run, so that the steps after it read
 * each list once between them instead of once each. Replaces any snapshot the run had.
 */
export function openRunSnapshot(ctx: Pick<ActionContext, 'runId'>, client: JumpCloudClient, user: SystemUser, manager?: { id: string; user: SystemUser | undefined }): UserSnapshot {
  const snapshot = new UserSnapshot(user._id, user);
  if (manager !== undefined) snapshot.rememberOtherUser(manager.id, manager.user);
  put(keyOf(ctx, client, user._id), { state: 'open', snapshot, openedAt: Date.now() });
  return snapshot;
}

/**
 * Opens the run's snapshot of a user the run has just created: in no group, bound to nothing,
 * with no key or device, as JumpCloud creates a user, so that the steps after it (adding it to
 * groups, binding systems) need not read that back. The steps that change it mark it stale as
 * usual, and the next one reads afresh.
 */
export function openNewUserRunSnapshot(ctx: Pick<ActionContext, 'runId'>, client: JumpCloudClient, user: SystemUser, manager?: SystemUser): UserSnapshot {
  const snapshot = UserSnapshot.ofNewUser(user);
  if (manager !== undefined) snapshot.rememberOtherUser(manager._id, manager);
  put(keyOf(ctx, client, user._id), { state: 'open', snapshot, openedAt: Date.now() });
  return snapshot;
}

/**
 * The snapshot a step of this run acts on:
 * - the run's open snapshot, while it is younger than {@link RUN_SNAPSHOT_MAX_AGE_MS};
 * - a fresh one, shared with the steps after it, when a step of the run failed or was stopped
 *   since (a retry, or a resume in the same process, reads again) or the snapshot is too old;
 * - a fresh one of this step alone when the run opened none in this process: a run resumed
 *   in a new process, or a step run on its own, reads the state as it is now.
 */
export function runSnapshot(ctx: Pick<ActionContext, 'runId'>, client: JumpCloudClient, userId: string): UserSnapshot {
  const key = keyOf(ctx, client, userId);
  const entry = entries.get(key);
  if (entry === undefined) return new UserSnapshot(userId);
  if (entry.state === 'open' && Date.now() - entry.openedAt <= RUN_SNAPSHOT_MAX_AGE_MS) {
    put(key, entry);
    return entry.snapshot;
  }
  return fresh(userId, key);
}

/**
 * Runs a step's work on the run's snapshot ({@link runSnapshot}). When the work fails (or is
 * stopped), the snapshot is marked stale before the error goes on: the step may have changed
 * more than it marked, so whatever runs next for this run (a retry, the next step after a
 * `continue_on_error`, a resume in this process) reads afresh.
 */
export async function onRunSnapshot<T>(ctx: Pick<ActionContext, 'runId'>, client: JumpCloudClient, userId: string, work: (snapshot: UserSnapshot) => Promise<T>): Promise<T> {
  const snapshot = runSnapshot(ctx, client, userId);
  try {
    return await work(snapshot);
  } catch (error) {
    markRunSnapshotStale(ctx, client, userId);
    throw error;
  }
}

/** Marks the run's snapshot of the user stale (see {@link onRunSnapshot}); nothing when it has none. */
export function markRunSnapshotStale(ctx: Pick<ActionContext, 'runId'>, client: JumpCloudClient, userId: string): void {
  const key = keyOf(ctx, client, userId);
  if (entries.has(key)) put(key, { state: 'stale' });
}

/** Drops the run's snapshot of the user: the verification, the last step that needs the user, is done. */
export function closeRunSnapshot(ctx: Pick<ActionContext, 'runId'>, client: JumpCloudClient, userId: string): void {
  entries.delete(keyOf(ctx, client, userId));
}
