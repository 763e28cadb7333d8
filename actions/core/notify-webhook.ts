import { PermanentError } from '../../engine/errors/action-errors.js';
import type { ActionPlan, ActionResult, Change } from '../../engine/plugin-api/action.js';
import type { ActionContext } from '../../engine/plugin-api/context.js';
import { defineAction } from '../../engine/plugin-api/define-action.js';
import type { FromSchema } from '../../engine/plugin-api/json-schema.js';
import { earlierChange, isRecord } from './earlier-change.js';
import { writeOutboxFile } from './outbox-file.js';
import { headerStrings, mergeHeaders } from './header-values.js';
import { unexpectedStatusError } from './http-errors.js';
import { sendHttp } from './http-send.js';
import { parseResponseBody } from './response-body.js';
import { sandboxHoldReason } from './sandbox-delivery.js';
import { redactSensitiveHeaders } from './sensitive-headers.js';
import { timeoutMs, timeoutParamSchema } from './timeout-param.js';
import { slackPayload, teamsAdaptiveCardPayload, teamsMessageCardPayload } from './webhook-payloads.js';

const params = {
  type: 'object',
  description: 'Posts a notification as JSON to a webhook (Slack, Microsoft Teams, or any JSON endpoint).',
  properties: {
    url: { type: 'string', minLength: 1, 'x-secret': true, description: 'The webhook URL. Webhook URLs are credentials: prefer `connection`, or `{{secret "…"}}`.' },
    connection: { type: 'string', minLength: 1, description: 'A connection in the config whose `url` (and optional `headers`) is used instead of `url`. In sandbox mode, when the config does not define it, the message is written to the outbox instead.' },
    format: { type: 'string', enum: ['slack', 'teams', 'json'], default: 'slack', description: 'The body to send: a Slack message, a Teams card, or `payload` as is.' },
    teams_card: { type: 'string', enum: ['adaptive', 'message_card'], default: 'adaptive', description: 'For Teams: an Adaptive Card (Workflows and connectors) or a legacy MessageCard.' },
    title: { type: 'string', description: 'The headline.' },
    text: { type: 'string', description: 'The message (Slack mrkdwn / Teams markdown).' },
    facts: {
      type: 'array',
      description: 'Label/value pairs shown as a table (Slack fields, Teams FactSet).',
      items: {
        type: 'object',
        properties: { name: { type: 'string', minLength: 1 }, value: { description: 'Text, a number, a list or an object.' } },
        required: ['name', 'value'],
        additionalProperties: false,
      },
    },
    payload: { type: 'object', description: 'For `json`: the body to send. For `slack`/`teams`: extra top-level fields (e.g. `channel`, `username`).' },
    headers: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] }, description: 'Extra request headers (values may be secrets).' },
    timeout: timeoutParamSchema,
  },
  allOf: [{ if: { properties: { format: { const: 'json' } }, required: ['format'] }, then: { required: ['payload'] } }],
  additionalProperties: false,
} as const;

type Params = FromSchema<typeof params>;

/** What `notify.webhook` returns. */
export interface NotifyWebhookOutput {
  /** True once the webhook answered 2xx. */
  sent: boolean;
  format: 'slack' | 'teams' | 'json';
  /** The webhook's host (the full URL is a secret and is not shown), or `outbox`. */
  host: string;
  /** The file the message was written to, in sandbox mode without the connection. */
  location?: string;
  /** The HTTP status the webhook answered (absent in a plan). */
  status?: number;
  /** The webhook's answer: JSON when it says so, else text (cut at 1,000 characters); absent when empty. */
  response?: unknown;
}

const outputSchema = {
  type: 'object',
  properties: {
    sent: { type: 'boolean' },
    format: { type: 'string', enum: ['slack', 'teams', 'json'] },
    host: { type: 'string' },
    location: { type: 'string' },
    status: { type: 'integer' },
    response: {},
  },
  required: ['sent', 'format', 'host'],
  additionalProperties: false,
} as const;

/** Where the message goes: a webhook, or (sandbox mode) the outbox, with why it is not sent. */
type Delivery = { kind: 'http'; endpoint: Endpoint; host: string } | { kind: 'outbox'; host: 'outbox'; reason: string };

/**
 * Decides where the message goes. Like `notify.email`, a sandbox run posts only to a webhook on
 * this machine (see {@link sandboxHoldReason}) and writes anything else to the outbox; a step
 * whose connection the config does not define also writes to the outbox rather than failing:
 * trying a template with `--sandbox` needs no Slack or Teams channel.
 */
function resolveDelivery(ctx: ActionContext, p: Params): Delivery {
  if (ctx.sandbox && p.url === undefined && p.connection !== undefined && ctx.connections.get(p.connection) === undefined) {
    return { kind: 'outbox', host: 'outbox', reason: `sandbox mode, no connection "${p.connection}"` };
  }
  const endpoint = resolveEndpoint(ctx, p);
  const held = sandboxHoldReason(ctx.sandbox, endpoint.url.hostname, endpoint.host);
  return held === undefined ? { kind: 'http', endpoint, host: endpoint.host } : { kind: 'outbox', host: 'outbox', reason: held };
}

/** Where the webhook is, checked. */
interface Endpoint {
  url: URL;
  host: string;
  /** Headers from the connection, under the step's own. */
  headers: Record<string, string>;
}

/**
 * Finds the webhook URL (from `url` or a connection), registers it for redaction (anyone with
 * a Slack or Teams webhook URL can post to the channel), and checks it.
 * @throws PermanentError naming the parameter or connection setting that is wrong.
 */
function resolveEndpoint(ctx: ActionContext, p: Params): Endpoint {
  const fail = (message: string, code = 'INVALID_PARAMS'): never => {
    throw new PermanentError(`notify.webhook: ${message}`, { code });
  };
  let raw: string;
  let source: string;
  let headers: Record<string, string> = {};
  if (p.url !== undefined && p.connection !== undefined) return fail('give either "url" or "connection", not both');
  if (p.connection !== undefined) {
    const connection = ctx.connections.get(p.connection);
    if (connection === undefined) {
      return fail(`connection "${p.connection}" is not configured; add it to idflow.config.yaml:\n  connections:\n    ${p.connection}:\n      url: { env: WEBHOOK_URL }`, 'WEBHOOK_NOT_CONFIGURED');
    }
    const url = connection.url;
    if (typeof url !== 'string' || url.trim() === '') return fail(`connections.${p.connection}.url must be the webhook URL`, 'WEBHOOK_NOT_CONFIGURED');
    raw = url.trim();
    source = `connections.${p.connection}.url`;
    const connectionHeaders = connection.headers;
    if (connectionHeaders !== undefined && !isRecord(connectionHeaders)) return fail(`connections.${p.connection}.headers must be a map of header names to values`);
    headers = headerStrings(connectionHeaders, `connections.${p.connection}.headers`);
  } else if (p.url !== undefined) {
    raw = p.url.trim();
    source = '"url"';
  } else {
    return fail('give the webhook "url" or the name of a "connection" that holds it');
  }
  ctx.addRedaction(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // The value itself is a secret: say where it came from, not what it is.
    return fail(`${source} is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail(`${source} must be an http:// or https:// URL, not ${url.protocol}//`);
  return { url, host: url.host, headers };
}

/** The JSON body for the chosen format. */
function buildBody(p: Params): Record<string, unknown> {
  const payload = p.payload ?? {};
  if (p.format === 'json') return payload;
  if ((p.title === undefined || p.title.trim() === '') && (p.text === undefined || p.text.trim() === '')) {
    throw new PermanentError(`notify.webhook: a ${p.format} message needs a "title" or a "text"`, { code: 'INVALID_PARAMS' });
  }
  const message = {
    ...(p.title === undefined ? {} : { title: p.title }),
    ...(p.text === undefined ? {} : { text: p.text }),
    ...(p.facts === undefined ? {} : { facts: p.facts }),
  };
  const built = p.format === 'slack' ? slackPayload(message) : p.teams_card === 'message_card' ? teamsMessageCardPayload(message) : teamsAdaptiveCardPayload(message);
  // `payload` adds to (or overrides) the top level, e.g. Slack's `channel` or `icon_emoji`.
  return { ...built, ...payload };
}

function auditTarget(p: Params, host: string): string {
  return `${p.format} webhook ${host}`;
}

function replayedOutput(change: Change, p: Params, host: string): NotifyWebhookOutput {
  const after = change.after;
  if (isRecord(after) && typeof after.sent === 'boolean') {
    return {
      sent: after.sent,
      format: p.format,
      host,
      ...(typeof after.location === 'string' ? { location: after.location } : {}),
      ...(typeof after.status === 'number' ? { status: after.status } : {}),
      ...(after.response === undefined ? {} : { response: after.response }),
    };
  }
  return { sent: true, format: p.format, host };
}

/** Posts the message; returns what the webhook answered. */
async function post(ctx: ActionContext, p: Params, endpoint: Endpoint, body: Record<string, unknown>): Promise<NotifyWebhookOutput> {
  const headers = mergeHeaders({ 'content-type': 'application/json; charset=utf-8' }, endpoint.headers, headerStrings(p.headers, 'notify.webhook "headers"'));
  redactSensitiveHeaders(ctx, headers);
  const what = `POST to the ${p.format} webhook at ${endpoint.host}`;
  ctx.logger.info(`Posting to the ${p.format} webhook at ${endpoint.host}`);
  const reply = await sendHttp({ method: 'POST', url: endpoint.url, headers, body: JSON.stringify(body), timeoutMs: timeoutMs(p.timeout, 'notify.webhook "timeout"'), signal: ctx.signal, what });
  if (reply.status < 200 || reply.status > 299) throw unexpectedStatusError(what, reply);
  // The old Office 365 connector answers 200 with an error text when Teams refused the card.
  if (p.format === 'teams' && /^\s*Webhook message delivery failed/i.test(reply.text)) {
    throw new PermanentError(`${what} was refused by Teams: ${reply.text.slice(0, 300)}`, { code: 'HTTP_STATUS', details: { status: reply.status } });
  }
  const response = parseResponseBody(reply, { lenient: true, maxTextLength: 1000 });
  ctx.logger.info(`The ${p.format} webhook at ${endpoint.host} answered ${reply.status}`);
  return { sent: true, format: p.format, host: endpoint.host, status: reply.status, ...(response === null || response === '' ? {} : { response }) };
}

/** Writes the message to the outbox (sandbox mode). */
async function writeToOutbox(ctx: ActionContext, p: Params, body: Record<string, unknown>, reason: string): Promise<NotifyWebhookOutput> {
  const location = await writeOutboxFile(ctx, 'webhook.json', `${JSON.stringify({ format: p.format, connection: p.connection, body }, null, 2)}\n`);
  ctx.logger.info(`The ${p.format} message was written to ${location} (${reason})`);
  return { sent: true, format: p.format, host: 'outbox', location };
}

/**
 * `notify.webhook`: posts a notification to a webhook: a Slack message (Block Kit), a Teams
 * Adaptive Card (or MessageCard), or any JSON. 429, 5xx and network failures are transient
 * (`Retry-After` honoured), other answers permanent. Posts at most once per step and run. In
 * sandbox mode it posts only to a webhook on this machine, and otherwise writes the message to
 * the outbox (see {@link resolveDelivery}).
 */
export const notifyWebhookAction = defineAction({
  id: 'notify.webhook',
  description: 'Post a notification to a Slack, Teams or JSON webhook',
  params,
  output: outputSchema,
  examples: [
    {
      description: 'Tell the IT channel in Slack',
      with: {
        connection: 'slack_it',
        format: 'slack',
        title: 'User offboarded',
        text: '{{steps.lookup.output.display_name}} was offboarded by run {{run.id}}',
        facts: [{ name: 'Groups removed', value: '{{steps.groups.output.removed}}' }],
      },
    },
  ],
  async run(ctx, p): Promise<ActionResult<NotifyWebhookOutput>> {
    const delivery = resolveDelivery(ctx, p);
    const body = buildBody(p);
    const target = auditTarget(p, delivery.host);
    const earlier = earlierChange(ctx, 'notify', target);
    if (earlier !== undefined) {
      ctx.logger.info(`The ${p.format} webhook at ${delivery.host} was already notified earlier in this run; not posting again`);
      return { changed: false, output: replayedOutput(earlier, p, delivery.host), summary: `already posted to ${delivery.host}` };
    }
    const output = delivery.kind === 'http' ? await post(ctx, p, delivery.endpoint, body) : await writeToOutbox(ctx, p, body, delivery.reason);
    ctx.changes.record({ target, operation: 'notify', after: output, result: 'changed', note: p.title ?? p.text?.slice(0, 80) ?? 'JSON payload' });
    return { changed: true, output, summary: delivery.kind === 'http' ? `posted to ${delivery.host}` : `written to the outbox: ${output.location ?? ''}` };
  },
  plan(ctx, p): ActionPlan<NotifyWebhookOutput> {
    const delivery = resolveDelivery(ctx, p);
    const body = buildBody(p);
    const target = auditTarget(p, delivery.host);
    const earlier = earlierChange(ctx, 'notify', target);
    if (earlier !== undefined) {
      return { changes: [{ target, operation: 'notify', after: body, result: 'unchanged', note: 'already posted earlier in this run' }], output: replayedOutput(earlier, p, delivery.host), summary: 'already posted' };
    }
    const how = delivery.kind === 'http' ? `would POST a ${p.format} message to ${delivery.host}` : `would write a ${p.format} message to the outbox ${ctx.paths.outbox} (${delivery.reason})`;
    return {
      changes: [{ target, operation: 'notify', after: body, note: how }],
      output: { sent: true, format: p.format, host: delivery.host },
      summary: delivery.kind === 'http' ? `would post to ${delivery.host}` : 'would write to the outbox',
    };
  },
});
