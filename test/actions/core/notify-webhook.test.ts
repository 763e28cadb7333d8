import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notifyWebhookAction, type NotifyWebhookOutput } from '../../../actions/core/notify-webhook.js';
import { CancelledError, PermanentError, TimeoutError, TransientError } from '../../../engine/errors/index.js';
import { createMockActionContext } from '../../../engine/plugin-api/mock-context.js';
import { actionHarness } from './helpers/action-harness.js';
import { reply, startHttpServer, type HttpTestServer } from './helpers/http-test-server.js';
import { closedPort } from './helpers/smtp-test-server.js';

const { registry, registered, validParams, run, failure } = actionHarness(notifyWebhookAction);
const validate = registered.validateParams;

const facts = [
  { name: 'User', value: 'john.smith <john.smith@company.test>' },
  { name: 'Groups removed', value: 5 },
  { name: 'MFA cleared', value: true },
  { name: 'Applications', value: ['Slack', 'Zoom'] },
];

describe('notify.webhook', () => {
  let server: HttpTestServer;
  let hook: string;
  beforeAll(async () => {
    server = await startHttpServer();
    hook = `${server.url}/services/T000/B000/XXXXSECRET`;
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    server.respond(reply(200, 'ok'));
  });

  it('posts a Slack message: fallback text, header, mrkdwn section and fact fields', async () => {
    const { ctx, result } = await run({}, { url: hook, title: 'User offboarded', text: 'John Smith was offboarded by run *run-1*', facts });

    expect(server.requests).toHaveLength(1);
    const request = server.requests[0];
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/services/T000/B000/XXXXSECRET');
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      text: 'User offboarded\nJohn Smith was offboarded by run *run-1*',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'User offboarded', emoji: true } },
        { type: 'section', text: { type: 'mrkdwn', text: 'John Smith was offboarded by run *run-1*' } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*User*\njohn.smith &lt;john.smith@company.test&gt;' },
            { type: 'mrkdwn', text: '*Groups removed*\n5' },
            { type: 'mrkdwn', text: '*MFA cleared*\ntrue' },
            { type: 'mrkdwn', text: '*Applications*\nSlack, Zoom' },
          ],
        },
      ],
    });
    const host = new URL(server.url).host;
    expect(result).toEqual({ changed: true, output: { sent: true, format: 'slack', host, status: 200, response: 'ok' }, summary: `posted to ${host}` });
    expect(registry.get('notify.webhook')?.validateOutput?.(result.output)).toBe(true);
    expect(ctx.recorded).toEqual([{ target: `slack webhook ${host}`, operation: 'notify', after: result.output, result: 'changed', note: 'User offboarded' }]);
    // The webhook URL is a credential: redacted, and never in a log line.
    expect(ctx.redactions.has(hook)).toBe(true);
    expect(JSON.stringify(ctx.logs)).not.toContain('XXXXSECRET');
  });

  it('splits more than ten facts into several Slack sections', async () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ name: `fact ${i}`, value: i }));
    await run({}, { url: hook, text: 'many', facts: many });
    const body = JSON.parse(server.requests[0]?.body ?? '') as { blocks: Array<{ fields?: unknown[] }> };
    expect(body.blocks.map((b) => b.fields?.length)).toEqual([undefined, 10, 2]);
  });

  it('posts a Teams Adaptive Card with a FactSet', async () => {
    server.respond(reply(202, ''));
    const { result } = await run({}, { url: hook, format: 'teams', title: 'User offboarded', text: 'John Smith was offboarded', facts });
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({
      type: 'message',
      summary: 'User offboarded\nJohn Smith was offboarded',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: 'User offboarded', weight: 'Bolder', size: 'Medium', wrap: true, style: 'heading' },
              { type: 'TextBlock', text: 'John Smith was offboarded', wrap: true },
              {
                type: 'FactSet',
                facts: [
                  { title: 'User', value: 'john.smith <john.smith@company.test>' },
                  { title: 'Groups removed', value: '5' },
                  { title: 'MFA cleared', value: 'true' },
                  { title: 'Applications', value: 'Slack, Zoom' },
                ],
              },
            ],
            msteams: { width: 'Full' },
          },
        },
      ],
    });
    expect(result.output).toEqual({ sent: true, format: 'teams', host: new URL(server.url).host, status: 202 });
  });

  it('posts a legacy Teams MessageCard when asked', async () => {
    server.respond(reply(200, '1'));
    await run({}, { url: hook, format: 'teams', teams_card: 'message_card', title: 'User offboarded', text: 'Done', facts: [{ name: 'Groups removed', value: 5 }] });
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({
      '@type': 'MessageCard',
      '@context': 'https://schema.org/extensions',
      summary: 'User offboarded\nDone',
      title: 'User offboarded',
      text: 'Done',
      sections: [{ facts: [{ name: 'Groups removed', value: '5' }] }],
    });
  });

  it('treats the old Teams connector\'s "delivery failed" answer as a failure', async () => {
    server.respond(reply(200, 'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 400'));
    const error = await failure({}, { url: hook, format: 'teams', text: 'x' });
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toContain('refused by Teams');
  });

  it('posts a json payload as is and returns the parsed answer', async () => {
    server.respond(reply(201, { id: 'evt-1' }));
    const payload = { event: 'user.offboarded', user: { id: 'u1' }, counts: [1, 2] };
    const { result } = await run({}, { url: hook, format: 'json', payload });
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual(payload);
    expect(result.output).toMatchObject({ status: 201, response: { id: 'evt-1' } });
  });

  it('adds payload fields to a Slack message (e.g. channel)', async () => {
    await run({}, { url: hook, text: 'hi', payload: { channel: '#it-ops', username: 'idflow' } });
    expect(JSON.parse(server.requests[0]?.body ?? '')).toMatchObject({ text: 'hi', channel: '#it-ops', username: 'idflow' });
  });

  it('takes the URL and headers from a connection and redacts them', async () => {
    const { ctx, result } = await run(
      { connections: { ops_hook: { url: hook, headers: { Authorization: 'Bearer hook-token-123', 'X-Source': 'idflow' } } } },
      { connection: 'ops_hook', format: 'json', payload: { a: 1 }, headers: { 'X-Source': 'offboarding', 'X-Count': 3 } },
    );
    expect(result.output?.sent).toBe(true);
    const headers = server.requests[0]?.headers;
    expect(headers?.authorization).toBe('Bearer hook-token-123');
    expect(headers?.['x-source']).toBe('offboarding');
    expect(headers?.['x-count']).toBe('3');
    expect(ctx.redactions).toContain(hook);
    expect(ctx.redactions).toContain('Bearer hook-token-123');
    expect(ctx.redactions).toContain('hook-token-123');
    expect(ctx.redactions).not.toContain('offboarding');
  });

  it('is transient on 500, naming the status and the body', async () => {
    server.respond(reply(500, 'upstream exploded'));
    const error = await failure({}, { url: hook, text: 'x' });
    expect(error).toBeInstanceOf(TransientError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('500');
    expect(error.message).toContain('upstream exploded');
    expect(error.message).not.toContain('XXXXSECRET');
  });

  it('is transient on 429 and carries Retry-After as retryAfterMs', async () => {
    server.respond(reply(429, 'rate_limited', { 'retry-after': '7' }));
    const error = await failure({}, { url: hook, text: 'x' });
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).retryAfterMs).toBe(7000);
    expect(error.message).toContain('wait 7s');
  });

  it('is permanent on 400 with the status and a snippet of the body', async () => {
    server.respond(reply(400, 'invalid_payload'));
    const error = await failure({}, { url: hook, text: 'x' });
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe('HTTP_STATUS');
    expect(error.details).toMatchObject({ status: 400, body: 'invalid_payload' });
    expect(error.message).toBe(`POST to the slack webhook at ${new URL(server.url).host} returned 400 Bad Request (expected 2xx): invalid_payload`);
  });

  it('is transient when nothing listens', async () => {
    const port = await closedPort();
    const error = await failure({}, { url: `http://127.0.0.1:${port}/hook`, text: 'x' });
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('gives up after its timeout with a retryable TimeoutError', async () => {
    server.respond(() => 'hang');
    const error = await failure({}, { url: hook, text: 'x', timeout: '100ms' });
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('100ms');
  });

  it('stops the request in flight when the step is cancelled', async () => {
    server.respond(() => 'hang');
    const controller = new AbortController();
    void server.received(1).then(() => controller.abort(new Error('Ctrl-C')));
    const error = await failure({ signal: controller.signal }, { url: hook, text: 'x' });
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.message).toContain('Ctrl-C');
  });

  it('does not post again when an earlier attempt of the step already did', async () => {
    const first = await run({}, { url: hook, text: 'once' });
    const { ctx, result } = await run({ earlierChanges: first.ctx.recorded, attempt: 2 }, { url: hook, text: 'once' });
    expect(server.requests).toHaveLength(1);
    expect(result.changed).toBe(false);
    expect(result.output).toEqual(first.result.output);
    expect(ctx.recorded).toEqual([]);
  });

  it('plans the post without making a request', async () => {
    const ctx = createMockActionContext({ dryRun: true });
    const plan = await notifyWebhookAction.plan?.(ctx, validParams({ url: hook, title: 'User offboarded', text: 'hi' }));
    expect(server.requests).toHaveLength(0);
    const host = new URL(server.url).host;
    expect(plan?.changes).toEqual([
      {
        target: `slack webhook ${host}`,
        operation: 'notify',
        after: { text: 'User offboarded\nhi', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'User offboarded', emoji: true } }, { type: 'section', text: { type: 'mrkdwn', text: 'hi' } }] },
        note: `would POST a slack message to ${host}`,
      },
    ]);
    expect(plan?.output).toEqual<NotifyWebhookOutput>({ sent: true, format: 'slack', host });
    expect(ctx.redactions.has(hook)).toBe(true);
  });

  it('in sandbox mode without the named connection, writes the message to the outbox instead of failing, once per step', async () => {
    const params = { connection: 'slack_it', title: 'User offboarded', text: 'John Smith' };
    const first = await run({ sandbox: true, runId: 'run-7', stepId: 'tell_it' }, params);
    const location = first.result.output?.location as string;
    expect(first.result).toMatchObject({ changed: true, output: { sent: true, format: 'slack', host: 'outbox', location: expect.stringMatching(/-run-7-tell_it\.webhook\.json$/) } });
    expect(location.startsWith(first.ctx.paths.outbox)).toBe(true);
    expect(JSON.parse(readFileSync(location, 'utf8'))).toMatchObject({ format: 'slack', connection: 'slack_it', body: { text: 'User offboarded\nJohn Smith' } });
    expect(first.ctx.recorded).toMatchObject([{ target: 'slack webhook outbox', operation: 'notify', result: 'changed' }]);
    expect(registry.get('notify.webhook')?.validateOutput?.(first.result.output)).toBe(true);
    const again = await run({ sandbox: true, earlierChanges: first.ctx.recorded, attempt: 2 }, params);
    expect(again.result).toMatchObject({ changed: false, output: first.result.output });
    const plan = await notifyWebhookAction.plan?.(createMockActionContext({ sandbox: true }), validParams(params));
    expect(plan?.changes[0]?.note).toMatch(/^would write a slack message to the outbox .* \(sandbox mode, no connection "slack_it"\)$/);
    // A connection the config does define is used in sandbox mode when it is on this machine.
    await run({ sandbox: true, connections: { slack_it: { url: hook } } }, params);
    expect(server.requests).toHaveLength(1);
  });

  it('in sandbox mode, writes to the outbox rather than post to a webhook not on this machine, and never shows its URL', async () => {
    // A name that cannot resolve: had the action tried to post, the step would have failed.
    const secretUrl = 'https://hooks.company.invalid/services/T1/B2/REALSECRET';
    const first = await run({ sandbox: true, connections: { slack_it: { url: secretUrl } } }, { connection: 'slack_it', text: 'John Smith' });
    expect(first.result.output).toMatchObject({ sent: true, host: 'outbox' });
    expect(first.ctx.logs).toContainEqual(expect.objectContaining({ message: expect.stringContaining('(sandbox mode: hooks.company.invalid is not on this machine, so nothing is sent to it)') }));
    const direct = await run({ sandbox: true }, { url: secretUrl, format: 'json', payload: { event: 'offboarded' } });
    expect(direct.result.output).toMatchObject({ sent: true, format: 'json', host: 'outbox' });
    const plan = await notifyWebhookAction.plan?.(createMockActionContext({ sandbox: true }), validParams({ url: secretUrl, text: 'John Smith' }));
    expect(plan?.changes[0]?.note).toMatch(/\(sandbox mode: hooks\.company\.invalid is not on this machine, so nothing is sent to it\)$/);
    expect(JSON.stringify([first.ctx.logs, first.ctx.recorded, direct.ctx.logs, direct.ctx.recorded, plan])).not.toContain('REALSECRET');
    expect(server.requests).toHaveLength(0);
  });

  it('plans "already posted" after an earlier attempt', async () => {
    const host = new URL(server.url).host;
    const earlierChanges = [{ target: `slack webhook ${host}`, operation: 'notify', result: 'changed' as const, after: { sent: true, format: 'slack', host, status: 200 } }];
    const plan = await notifyWebhookAction.plan?.(createMockActionContext({ earlierChanges }), validParams({ url: hook, text: 'hi' }));
    expect(plan?.changes[0]?.result).toBe('unchanged');
    expect(plan?.output).toEqual({ sent: true, format: 'slack', host, status: 200 });
    expect(server.requests).toHaveLength(0);
  });
});

describe('notify.webhook parameters', () => {
  it.each([
    [{ text: 'x' }, /give the webhook "url" or the name of a "connection"/],
    [{ url: 'https://hooks.example.test/x', connection: 'slack', text: 'x' }, /either "url" or "connection", not both/],
    [{ connection: 'slack', text: 'x' }, /connection "slack" is not configured/],
    [{ url: 'not a url', text: 'x' }, /"url" is not a valid URL/],
    [{ url: 'ftp://hooks.example.test/x', text: 'x' }, /must be an http:\/\/ or https:\/\/ URL/],
    [{ url: 'https://hooks.example.test/x', facts: [{ name: 'a', value: 1 }] }, /a slack message needs a "title" or a "text"/],
  ])('refuses bad input clearly (%#)', async (raw, pattern) => {
    const error = await failure({}, raw);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(pattern);
  });

  it('does not echo a secret URL that is malformed', async () => {
    const error = await failure({ connections: { slack: { url: 'hooks.slack.com/services/SECRET' } } }, { connection: 'slack', text: 'x' });
    expect(error.message).toBe('notify.webhook: connections.slack.url is not a valid URL');
  });

  it('validates params through the registry: json needs a payload, facts need name and value', () => {
    expect(validate?.({ url: 'https://h.test/x', format: 'json' })).toBe(false);
    expect(validate?.({ url: 'https://h.test/x', format: 'json', payload: {} })).toBe(true);
    expect(validate?.({ url: 'https://h.test/x', text: 'x', facts: [{ name: 'a' }] })).toBe(false);
    expect(validate?.({ url: 'https://h.test/x', text: 'x', format: 'discord' })).toBe(false);
    const filled: Record<string, unknown> = { url: 'https://h.test/x', text: 'x' };
    validate?.(filled);
    expect(filled).toMatchObject({ format: 'slack', teams_card: 'adaptive' });
    for (const example of notifyWebhookAction.examples ?? []) expect(validate?.(structuredClone(example.with))).toBe(true);
  });
});
