import type { ActionDefinition } from '../../engine/plugin-api/action.js';
import type { PluginPack } from '../../engine/plugin-api/pack.js';
import { applicationsRevokeAllAction } from './actions/applications-revoke-all.js';
import { groupsRemoveAllAction } from './actions/groups-remove-all.js';
import { ldapUnbindAction } from './actions/ldap-unbind.js';
import { mfaClearAction } from './actions/mfa-clear.js';
import { radiusRemoveAction } from './actions/radius-remove.js';
import { sshKeysRemoveAllAction } from './actions/ssh-keys-remove-all.js';
import { systemCommandAction } from './actions/system-command.js';
import { systemGroupsAddAction } from './actions/system-groups-add.js';
import { systemGroupsRemoveAction } from './actions/system-groups-remove.js';
import { systemsFindAction } from './actions/systems-find.js';
import { systemsUnbindAllAction } from './actions/systems-unbind-all.js';
import { userBackupAction } from './actions/user-backup.js';
import { userCreateAction } from './actions/user-create.js';
import { userDeactivateAction } from './actions/user-deactivate.js';
import { userDeleteIfSuspendedAction } from './actions/user-delete-if-suspended.js';
import { userGroupsAddAction } from './actions/user-groups-add.js';
import { userGroupsRemoveAction } from './actions/user-groups-remove.js';
import { userLookupAction } from './actions/user-lookup.js';
import { userUpdateAction } from './actions/user-update.js';
import { userSetStateAction } from './actions/user-set-state.js';
import { userSystemsBindAction } from './actions/user-systems-bind.js';
import { userSystemsUnbindAction } from './actions/user-systems-unbind.js';
import { userVerifyOffboardedAction } from './actions/user-verify-offboarded.js';
import { usersFindAction } from './actions/users-find.js';
import { jumpcloudSandbox } from './emulator/sandbox-provider.js';
import { directoryInsightsSource } from './events/directory-insights-source.js';

/**
 * The JumpCloud actions, in the order of the offboarding (lookup first, verification last),
 * then the building blocks of other workflows (adding a user to groups, removing one from given groups;
 * changing a user's profile, activating, suspending or unlocking a user; creating a user;
 * binding a user to given systems and unbinding one; putting systems into and out of system groups;
 * built-in device commands; finding users and systems by filters).
 * Each is typed by its own `params` schema; the list holds them as plain definitions, which is
 * what the registry checks and calls.
 */
export const jumpcloudActions: ActionDefinition[] = [
  userLookupAction,
  userBackupAction,
  groupsRemoveAllAction,
  systemsUnbindAllAction,
  applicationsRevokeAllAction,
  ldapUnbindAction,
  radiusRemoveAction,
  mfaClearAction,
  sshKeysRemoveAllAction,
  userDeactivateAction,
  userDeleteIfSuspendedAction,
  userVerifyOffboardedAction,
  userGroupsAddAction,
  userGroupsRemoveAction,
  userUpdateAction,
  userSetStateAction,
  userCreateAction,
  userSystemsBindAction,
  userSystemsUnbindAction,
  systemGroupsAddAction,
  systemGroupsRemoveAction,
  systemCommandAction,
  usersFindAction,
  systemsFindAction,
];

/**
 * The JumpCloud pack: the offboarding actions and the emulator behind `idflow sandbox` and
 * `run --sandbox`. Registered through the public plugin API exactly like an admin's plugin;
 * the engine knows nothing about JumpCloud.
 */
const jumpcloudPack: PluginPack = {
  name: 'jumpcloud',
  description: 'JumpCloud user offboarding: lookup, backup, access removal, MFA and SSH keys, disable or delete, verification; adding a user to and removing one from given groups; updating a user profile, activating, suspending or unlocking a user; creating a user; binding a user to and unbinding one from given systems (with sudo options); putting systems into and out of system groups; locking, restarting, shutting down or erasing devices; finding users (by attributes, groups and inactivity) and systems (by OS, last contact, encryption, policies); with a local emulator',
  actions: jumpcloudActions,
  sandbox: jumpcloudSandbox,
  // Directory Insights as jumpcloud.* trigger events for idflow serve (event_sources: in the config).
  eventSources: [directoryInsightsSource],
};

export default jumpcloudPack;
