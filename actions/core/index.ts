import type { PluginPack } from '../../engine/plugin-api/pack.js';
import { dataSetAction } from './data-set.js';
import { failAction } from './workflow-fail.js';
import { httpRequestAction } from './http-request.js';
import { logAction } from './log.js';
import { notifyEmailAction } from './notify-email.js';
import { notifyWebhookAction } from './notify-webhook.js';
import { timerScheduleAction } from './timer-schedule.js';
import { workflowRunAction } from './workflow-run.js';

/** The core pack: generic actions every workflow may use. Registered like any other plugin. */
const corePack: PluginPack = {
  name: 'core',
  description: 'Generic actions: logging, data, HTTP, notifications, sub-workflows, durable timers, stopping a run',
  actions: [logAction, dataSetAction, httpRequestAction, notifyEmailAction, notifyWebhookAction, workflowRunAction, timerScheduleAction, failAction],
};

export default corePack;
