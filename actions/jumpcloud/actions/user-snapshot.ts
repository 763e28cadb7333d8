import type { JumpCloudClient, UserTraversal } from '../client/jumpcloud-client.js';
import type { GraphConnection, GraphObjectWithPaths, PushEndpoint, SshKey, SystemUser } from '../types.js';
import { readUserIfExists } from './read-user.js';

/** The kinds of object whose direct binding to the user a step removes (`type:id` marks). */
export type UnboundType = 'system' | 'system_group' | 'application' | 'ldap_server' | 'radius_server';

/**
 * What the offboarding steps know of one user: the record, the user groups it belongs to, what
 * it reaches of each kind (with every path), its push endpoints and its manager — each read at
 * most once, through the client of whichever step asks first — and what the steps removed since.
 *
 * @remarks
 * Every list is read whole when first asked for and then answered from memory, with what the
 * steps marked as removed left out: a group the user left, a binding removed, a key or push
 * endpoint deleted (and paths through them, e.g. access through a group the user left). So a
 * later step sees the state as this run left it, without reading it again. A read that fails is
 * forgotten (the next caller reads again). The record is replaced by what JumpCloud answers to a
 * change of it (`PUT`).
 *
 * The snapshot is only as fresh as its reads: whoever keeps one must decide how long it may be
 * trusted (see `run-snapshots.ts`); the final verification never uses one.
 */
export class UserSnapshot {
  readonly #reads = new Map<string, Promise<unknown>>();
  readonly #left = new Set<string>();
  readonly #unbound = new Set<string>();
  readonly #deletedKeys = new Set<string>();
  readonly #deletedEndpoints = new Set<string>();

  /**
   * @param userId - the user's id.
   * @param user - the record when the caller already has it (e.g. the lookup's search result).
   */
  constructor(readonly userId: string, user?: SystemUser) {
    if (user !== undefined) this.#reads.set('user', Promise.resolve(user));
  }

  /**
   * The snapshot of a user a plan would create (see planned-user.ts; its id is a placeholder), or
   * that this run has just created: nothing to read — no group, no binding, no key, no device yet.
   */
  static ofNewUser(record: SystemUser): UserSnapshot {
    const snapshot = new UserSnapshot(record._id, record);
    snapshot.#isNew = true;
    return snapshot;
  }

  /** True for {@link ofNewUser}: every list is empty, without a call. */
  #isNew = false;

  /** The user record (one `GET /api/systemusers/{id}` at most), or undefined when the user does not exist. */
  user(client: JumpCloudClient): Promise<SystemUser | undefined> {
    return this.#read('user', () => readUserIfExists(client, this.userId));
  }

  /** Replaces the record with what JumpCloud answered to a change of it (e.g. a `PUT`). */
  replaceUser(user: SystemUser): void {
    this.#reads.set('user', Promise.resolve(user));
  }

  /** The user was deleted: the record reads as absent from now on. */
  markUserDeleted(): void {
    this.#reads.set('user', Promise.resolve(undefined));
  }

  /**
   * Changes fields of a known record after a change JumpCloud answers without one (e.g.
   * `resetmfa`); does nothing when the record has not been read.
   */
  async patchUser(patch: Partial<SystemUser>): Promise<void> {
    const pending = this.#reads.get('user') as Promise<SystemUser | undefined> | undefined;
    if (pending === undefined) return;
    let user: SystemUser | undefined;
    try {
      user = await pending;
    } catch {
      return;
    }
    if (user !== undefined) this.replaceUser({ ...user, ...patch });
  }

  /** The user groups the user belongs to (`memberof`, every page), without those it left since. */
  async memberships(client: JumpCloudClient): Promise<GraphObjectWithPaths[]> {
    const groups = await this.#read('memberof', () => client.listUserGroupsOf(this.userId));
    return groups.filter((group) => !this.#left.has(group.id));
  }

  /**
   * What the user reaches of one kind (the v2 traversal, every page), with every path; paths
   * through what was removed since are left out, and objects left with no path at all.
   */
  async reached(client: JumpCloudClient, traversal: UserTraversal): Promise<GraphObjectWithPaths[]> {
    const objects = await this.#read(`reached:${traversal}`, () => client.traverseUser(this.userId, traversal));
    const result: GraphObjectWithPaths[] = [];
    for (const object of objects) {
      if (object.paths === undefined || object.paths.length === 0) {
        result.push(object);
        continue;
      }
      const paths = object.paths.filter((path) => this.#pathRemains(path));
      if (paths.length > 0) result.push(paths.length === object.paths.length ? object : { ...object, paths });
    }
    return result;
  }

  /** The user's push endpoints (one read), without those deleted since. */
  async pushEndpoints(client: JumpCloudClient): Promise<PushEndpoint[]> {
    const endpoints = await this.#read('pushendpoints', () => client.listPushEndpoints(this.userId));
    return endpoints.filter((endpoint) => !this.#deletedEndpoints.has(endpoint.id));
  }

  /**
   * The user's SSH keys, without those deleted since: from the record's `ssh_keys` (JumpCloud
   * returns them with the user), or listed when the record has no such field.
   */
  async sshKeys(client: JumpCloudClient): Promise<SshKey[]> {
    const user = await this.user(client);
    const keys = user !== undefined && Array.isArray(user.ssh_keys) ? user.ssh_keys : await this.#read('sshkeys', () => client.listSshKeys(this.userId));
    return keys.filter((key) => !this.#deletedKeys.has(key._id));
  }

  /** Another user's record (e.g. the manager), read once, or undefined when it does not exist. */
  otherUser(client: JumpCloudClient, id: string): Promise<SystemUser | undefined> {
    return this.#read(`user:${id}`, () => readUserIfExists(client, id));
  }

  /** Records another user's record already read (the lookup reads the manager). */
  rememberOtherUser(id: string, user: SystemUser | undefined): void {
    this.#reads.set(`user:${id}`, Promise.resolve(user));
  }

  /** The user is no longer a member of this group. */
  markLeft(groupId: string): void {
    this.#left.add(groupId);
  }

  /** The user's direct binding to this object is gone. */
  markUnbound(type: UnboundType, id: string): void {
    this.#unbound.add(`${type}:${id}`);
  }

  /** This SSH key is deleted. */
  markSshKeyDeleted(keyId: string): void {
    this.#deletedKeys.add(keyId);
  }

  /** This push endpoint is deleted. */
  markPushEndpointDeleted(endpointId: string): void {
    this.#deletedEndpoints.add(endpointId);
  }

  /**
   * A path remains unless its first hop is gone: a direct binding removed (`[object]`), a
   * group the user left (`[user group, …]`), or a system group unbound (`[system group, system]`).
   */
  #pathRemains(path: readonly GraphConnection[]): boolean {
    const first = path[0];
    if (first === undefined) return true;
    if (first.to.type === 'user_group') return !this.#left.has(first.to.id);
    return !this.#unbound.has(`${first.to.type}:${first.to.id}`);
  }

  #read<T>(key: string, load: () => Promise<T>): Promise<T> {
    const existing = this.#reads.get(key) as Promise<T> | undefined;
    if (existing !== undefined) return existing;
    // A user not created yet has no lists to read (only other users, e.g. its manager, exist).
    if (this.#isNew && !key.startsWith('user')) return Promise.resolve([] as T);
    const pending = load();
    this.#reads.set(key, pending);
    pending.catch(() => {
      if (this.#reads.get(key) === pending) this.#reads.delete(key);
    });
    return pending;
  }
}
