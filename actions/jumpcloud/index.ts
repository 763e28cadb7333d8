import type { ActionDefinition } from '../../engine/plugin-api/action.js';
import type { PluginPack } from '../../engine/plugin-api/pack.js';
import { jumpcloudSandbox } from './emulator/sandbox-provider.js';

/**
 * The JumpCloud actions, in the order of the offboarding (lookup first, verification last).
 * Typed loosely here because each action's `params` type differs; the registry checks every
 * parameter against its own schema before `run` sees it.
 */
const actions: ActionDefinition[] = [];

/**
 * The JumpCloud pack: the offboarding actions and the emulator behind `idflow sandbox` and
 * `run --sandbox`. Registered through the public plugin API exactly like an admin's plugin;
 * the engine knows nothing about JumpCloud.
 */
const jumpcloudPack: PluginPack = {
  name: 'jumpcloud',
  description: 'JumpCloud user offboarding: lookup, backup, access removal, MFA and SSH keys, disable or delete, verification; with a local emulator',
  actions,
  sandbox: jumpcloudSandbox,
};

export default jumpcloudPack;
