import type { OrgSnapshot, OrgState } from './org-state.js';

/**
 * The organisation as plain data for the emulator's state file: the snapshot `GET
 * /__sandbox/state` shows (without the event count), plus what a snapshot leaves out but a
 * continuing sandbox needs: every id ever handed out (ids of deleted objects are never reused,
 * as on the real service) and the POSIX uid/gid cursor.
 */
export type PersistedOrg = Omit<OrgSnapshot, 'eventCount' | 'policies' | 'policyresults'> & Partial<Pick<OrgSnapshot, 'policies' | 'policyresults'>> & {
  usedIds: string[];
  unixIdCursor: number;
};

/** Everything in `state`, as plain data (a deep copy). */
export function persistOrg(state: OrgState): PersistedOrg {
  const { eventCount: _eventCount, ...snapshot } = state.snapshot();
  return { ...snapshot, usedIds: state.usedIds(), unixIdCursor: state.unixIdCursor };
}

/**
 * Fills an empty {@link OrgState} with what {@link persistOrg} saved, through the same seeding
 * methods an org file uses (so the uniqueness index and id bookkeeping are rebuilt), without
 * recording any event: the events are restored with the event log.
 */
export function restoreOrg(state: OrgState, saved: PersistedOrg): void {
  for (const system of saved.systems) state.insertResource('system', structuredClone(system));
  for (const application of saved.applications) state.insertResource('application', structuredClone(application));
  for (const server of saved.ldapservers) state.insertResource('ldap_server', structuredClone(server));
  for (const server of saved.radiusservers) state.insertResource('radius_server', structuredClone(server));
  for (const { members, ...group } of saved.systemgroups) state.insertSystemGroup(structuredClone(group), members);
  for (const user of saved.users) state.insertUser(structuredClone(user));
  for (const [userId, endpoints] of Object.entries(saved.pushEndpoints)) state.insertPushEndpoints(userId, structuredClone(endpoints));
  for (const { members, ...group } of saved.usergroups) {
    state.insertUserGroup(structuredClone(group));
    for (const member of members) state.insertMembership(group.id, member);
  }
  for (const edge of saved.associations) state.insertEdge(structuredClone(edge));
  // State files written before policies existed have neither list.
  for (const policy of saved.policies ?? []) state.insertPolicy(structuredClone(policy));
  for (const [systemId, results] of Object.entries(saved.policyresults ?? {})) state.insertPolicyResults(systemId, structuredClone(results));
  state.reserveIds(saved.usedIds, saved.unixIdCursor);
}
