import type { PluginPack } from '../../engine/plugin-api/pack.js';
import { logAction } from './log.js';

/** The core pack: generic actions every workflow may use. Registered like any other plugin. */
const corePack: PluginPack = {
  name: 'core',
  description: 'Generic actions: logging, data, HTTP, notifications, sub-workflows',
  actions: [logAction],
};

export default corePack;
