import type { OrgSnapshot } from './org/org-state.js';

/** The kinds of object a template test's `state:` can name, e.g. `user john.smith`. */
export const INSPECT_KINDS = ['user', 'user_group', 'system', 'system_group', 'application'] as const;

/**
 * One named object of the emulated organisation as a template test sees it (`state:` of a
 * `*.test.yaml`): plain data with everything reached by name rather than id, so that a test
 * reads like the org file. `ref` is a kind and a name: `user john.smith` (a username, email or
 * id), `user_group Engineering`, `system JSMITH-MBP`, `system_group Quarantine`, `application Slack`.
 *
 * @returns the view, or `null` when there is no such object (a deleted user, for instance).
 * @throws Error naming the known kinds when the kind is not one of them.
 */
export function inspectOrg(org: OrgSnapshot, ref: string): unknown {
  const space = ref.trim().indexOf(' ');
  const kind = space < 0 ? ref.trim() : ref.trim().slice(0, space);
  const name = space < 0 ? '' : ref.trim().slice(space + 1).trim();
  if (!(INSPECT_KINDS as readonly string[]).includes(kind) || name === '') {
    throw new Error(`"${ref}" does not name an object of the JumpCloud sandbox: write a kind and a name, the kind one of ${INSPECT_KINDS.join(', ')} (e.g. "user john.smith")`);
  }
  const names = nameIndex(org);
  switch (kind) {
    case 'user': {
      const lower = name.toLowerCase();
      const user = org.users.find((u) => u._id === name || u.username.toLowerCase() === lower || u.email.toLowerCase() === lower);
      if (user === undefined) return null;
      const targets = (type: string): string[] => org.associations.filter((a) => a.fromType === 'user' && a.fromId === user._id && a.toType === type).map((a) => names.get(a.toId) ?? a.toId).sort();
      const manager = user.manager === undefined ? null : org.users.find((u) => u._id === user.manager)?.username ?? user.manager;
      return {
        id: user._id,
        username: user.username,
        email: user.email,
        state: user.state,
        manager,
        groups: org.usergroups.filter((g) => g.members.includes(user._id)).map((g) => g.name).sort(),
        systems: targets('system'),
        system_groups: targets('system_group'),
        applications: targets('application'),
        ldap_servers: targets('ldap_server'),
        radius_servers: targets('radius_server'),
        ldap_binding_user: user.ldap_binding_user,
        ssh_keys: user.ssh_keys.map((key) => key.name).sort(),
        mfa: { totp: user.totp_enabled, push_endpoints: (org.pushEndpoints[user._id] ?? []).map((device) => device.name).sort() },
      };
    }
    case 'user_group': {
      const group = org.usergroups.find((g) => g.name === name || g.id === name);
      if (group === undefined) return null;
      return { id: group.id, name: group.name, members: group.members.map((id) => org.users.find((u) => u._id === id)?.username ?? id).sort() };
    }
    case 'system': {
      const system = org.systems.find((s) => s.displayName === name || s._id === name);
      if (system === undefined) return null;
      const users = org.associations.filter((a) => a.fromType === 'user' && a.toType === 'system' && a.toId === system._id).map((a) => org.users.find((u) => u._id === a.fromId)?.username ?? a.fromId);
      // Its system groups, so that a test can see a device moved into (or out of) one.
      const groups = org.systemgroups.filter((g) => g.members.includes(system._id)).map((g) => g.name);
      return { id: system._id, display_name: system.displayName, hostname: system.hostname, users: users.sort(), groups: groups.sort() };
    }
    case 'system_group': {
      const group = org.systemgroups.find((g) => g.name === name || g.id === name);
      if (group === undefined) return null;
      return { id: group.id, name: group.name, members: group.members.map((id) => org.systems.find((s) => s._id === id)?.displayName ?? id).sort() };
    }
    default: {
      const application = org.applications.find((a) => a.displayLabel === name || a.name === name || a._id === name);
      if (application === undefined) return null;
      const users = org.associations.filter((a) => a.fromType === 'user' && a.toType === 'application' && a.toId === application._id).map((a) => org.users.find((u) => u._id === a.fromId)?.username ?? a.fromId);
      return { id: application._id, display_label: application.displayLabel, users: users.sort() };
    }
  }
}

/** The name of every object an association can point at, by id. */
function nameIndex(org: OrgSnapshot): Map<string, string> {
  const names = new Map<string, string>();
  for (const system of org.systems) names.set(system._id, system.displayName);
  for (const group of org.systemgroups) names.set(group.id, group.name);
  for (const application of org.applications) names.set(application._id, application.displayLabel);
  for (const server of org.ldapservers) names.set(server.id, server.name);
  for (const server of org.radiusservers) names.set(server._id, server.name);
  return names;
}
