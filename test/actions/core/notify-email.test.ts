import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyEmailAction, type NotifyEmailOutput as EmailOutput } from '../../../actions/core/notify-email.js';
import { CancelledError, IdflowError, PermanentError, TimeoutError, TransientError } from '../../../engine/errors/index.js';
import type { ActionPlan } from '../../../engine/plugin-api/action.js';
import { createMockActionContext } from '../../../engine/plugin-api/mock-context.js';
import { actionHarness } from './helpers/action-harness.js';
import { parseEml } from './helpers/parse-eml.js';
import { closedPort, smtpReply, startSmtpServer, type SmtpTestServer } from './helpers/smtp-test-server.js';

const { registry, validParams, run, failure } = actionHarness(notifyEmailAction);

const message = { to: ['it-team@company.test', 'Jane Doe <jane.doe@company.test>'], subject: 'Offboarded john.smith', text: 'John Smith was offboarded.' };

describe('notify.email over SMTP', () => {
  let server: SmtpTestServer;
  beforeAll(async () => {
    server = await startSmtpServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('delivers the message to the SMTP server, logging in with the configured credentials', async () => {
    const before = server.messages.length;
    const { ctx, result } = await run(
      { connections: { smtp: { url: server.url, username: 'bot', password: 's3cret', from: 'idflow@company.test' } } },
      { ...message, cc: 'manager@company.test', bcc: ['audit@company.test'], reply_to: 'helpdesk@company.test', html: '<p>John Smith was offboarded.</p>' },
    );

    expect(server.messages).toHaveLength(before + 1);
    const received = server.messages.at(-1);
    expect(received?.user).toBe('bot');
    expect(server.logins.at(-1)).toEqual({ username: 'bot', password: 's3cret' });
    expect(received?.from).toBe('idflow@company.test');
    expect(received?.to).toEqual(['it-team@company.test', 'jane.doe@company.test', 'manager@company.test', 'audit@company.test']);
    const eml = parseEml(received?.raw ?? '');
    expect(eml.headers.get('from')).toBe('idflow@company.test');
    expect(eml.headers.get('to')).toBe('it-team@company.test, Jane Doe <jane.doe@company.test>');
    expect(eml.headers.get('cc')).toBe('manager@company.test');
    expect(eml.headers.has('bcc')).toBe(false);
    expect(eml.headers.get('reply-to')).toBe('helpdesk@company.test');
    expect(eml.headers.get('subject')).toBe('Offboarded john.smith');
    expect(eml.headers.get('x-idflow-run-id')).toBe('run-mock');
    expect(eml.text).toBe('John Smith was offboarded.');
    expect(eml.html).toBe('<p>John Smith was offboarded.</p>');

    expect(result.changed).toBe(true);
    expect(result.output).toEqual({
      sent: true,
      recipients: ['it-team@company.test', 'jane.doe@company.test', 'manager@company.test', 'audit@company.test'],
      transport: 'smtp',
      message_id: eml.headers.get('message-id'),
    });
    expect(registry.get('notify.email')?.validateOutput?.(result.output)).toBe(true);
    expect(ctx.recorded).toEqual([
      {
        target: 'email to it-team@company.test, jane.doe@company.test, manager@company.test, audit@company.test',
        operation: 'notify',
        after: result.output,
        result: 'changed',
        note: 'subject "Offboarded john.smith"',
      },
    ]);
    expect(ctx.redactions.has('s3cret')).toBe(true);
    expect(JSON.stringify(ctx.logs)).not.toContain('s3cret');
  });

  it('reads host, port and flags given as strings (as environment variables give them)', async () => {
    const { result } = await run(
      { connections: { smtp: { host: '127.0.0.1', port: String(server.port), secure: 'false', username: 'bot', password: 's3cret' } } },
      { ...message, from: 'Offboarding <offboarding@company.test>' },
    );
    expect(result.output?.transport).toBe('smtp');
    expect(server.messages.at(-1)?.from).toBe('offboarding@company.test');
  });

  it('uses a connection named by the step', async () => {
    const { result } = await run({ connections: { mailer: { url: `smtp://bot:s3cret@127.0.0.1:${server.port}`, from: 'x@company.test' } } }, { ...message, connection: 'mailer' });
    expect(result.output?.sent).toBe(true);
    expect(server.logins.at(-1)).toEqual({ username: 'bot', password: 's3cret' });
  });

  it('in sandbox mode, still sends through an SMTP server on this machine (a local MailHog)', async () => {
    const before = server.messages.length;
    const { result } = await run({ sandbox: true, connections: { smtp: { url: server.url, username: 'bot', password: 's3cret', from: 'idflow@company.test' } } }, message);
    expect(result.output).toMatchObject({ sent: true, transport: 'smtp' });
    expect(server.messages).toHaveLength(before + 1);
  });

  it('fails permanently when the login is refused (535), naming the server but never the password', async () => {
    const error = await failure({ connections: { smtp: { url: server.url, username: 'bot', password: 'wrong-pa55word', from: 'x@company.test' } } }, message);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe('SMTP_AUTH_FAILED');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(`127.0.0.1:${server.port}`);
    expect(error.message).toContain('"bot"');
    expect(error.message).toContain('connections.smtp.password');
    expect(error.message).not.toContain('wrong-pa55word');
    expect(JSON.stringify(error.toJSON())).not.toContain('wrong-pa55word');
  });

  it('fails permanently when the server wants a login and none is configured (530)', async () => {
    const error = await failure({ connections: { smtp: { url: server.url, from: 'x@company.test' } } }, message);
    expect(error.code).toBe('SMTP_AUTH_REQUIRED');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('connections.smtp.username');
  });

  it('fails permanently when every recipient is rejected (550), naming them', async () => {
    const error = await failure({ connections: { smtp: { url: server.url, username: 'bot', password: 's3cret', from: 'x@company.test' } } }, { ...message, to: 'bad.address@company.test' });
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe('SMTP_RECIPIENT_REJECTED');
    expect(error.message).toContain('bad.address@company.test');
    expect(error.message).toContain('550');
    expect(error.message).toContain(`127.0.0.1:${server.port}`);
  });

  it('records what went out and fails when only some recipients are rejected', async () => {
    const ctx = createMockActionContext({ connections: { smtp: { url: server.url, username: 'bot', password: 's3cret', from: 'x@company.test' } } });
    const error = await Promise.resolve(notifyEmailAction.run(ctx, validParams({ ...message, to: ['ok@company.test', 'bad@company.test'] }))).then(
      () => undefined,
      (e: unknown) => e as IdflowError,
    );
    expect(error?.code).toBe('SMTP_RECIPIENT_REJECTED');
    expect(error?.message).toContain('bad@company.test');
    expect(server.messages.at(-1)?.to).toEqual(['ok@company.test']);
    // A retry must not send to ok@company.test again.
    expect(ctx.recorded).toHaveLength(1);
    expect(ctx.recorded[0]?.target).toBe('email to ok@company.test, bad@company.test');
    expect(ctx.recorded[0]?.after).toMatchObject({ sent: true, recipients: ['ok@company.test'] });
    const retry = createMockActionContext({ connections: { smtp: { url: server.url, username: 'bot', password: 's3cret' } }, earlierChanges: ctx.recorded });
    const before = server.messages.length;
    const result = await notifyEmailAction.run(retry, validParams({ ...message, to: ['ok@company.test', 'bad@company.test'] }));
    expect(result.changed).toBe(false);
    expect(server.messages).toHaveLength(before);
  });

  it('does not send again when an earlier attempt of the step already sent it', async () => {
    const first = await run({ connections: { smtp: { url: server.url, username: 'bot', password: 's3cret', from: 'x@company.test' } } }, message);
    const count = server.messages.length;
    const connections = server.connections;
    const { ctx, result } = await run(
      { connections: { smtp: { url: server.url, username: 'bot', password: 's3cret', from: 'x@company.test' } }, earlierChanges: first.ctx.recorded, attempt: 2 },
      message,
    );
    expect(server.messages).toHaveLength(count);
    expect(server.connections).toBe(connections);
    expect(result.changed).toBe(false);
    expect(result.output).toEqual(first.result.output);
    expect(ctx.recorded).toEqual([]);
  });

  it('does not send again after an earlier send whose record lacks its output, and says by which transport it would have gone (run and plan)', async () => {
    const target = 'email to it-team@company.test, jane.doe@company.test';
    const earlierChanges = [{ target, operation: 'notify', result: 'changed' as const }];
    const elsewhere = { smtp: { url: 'smtp://mail.company.invalid:587', from: 'x@company.test' } };
    const count = server.messages.length;
    const sandboxed = await run({ sandbox: true, connections: elsewhere, earlierChanges, attempt: 2 }, message);
    expect(sandboxed.result).toMatchObject({ changed: false, output: { sent: true, transport: 'outbox', recipients: ['it-team@company.test', 'jane.doe@company.test'] } });
    expect((await run({ connections: elsewhere, earlierChanges, attempt: 2 }, message)).result.output).toMatchObject({ transport: 'smtp' });
    // The connection is gone since: still not sent, and still not a failure.
    expect((await run({ earlierChanges, attempt: 2 }, message)).result).toMatchObject({ changed: false, output: { transport: 'smtp' } });
    const plan = await notifyEmailAction.plan?.(createMockActionContext({ sandbox: true, connections: elsewhere, earlierChanges }), validParams(message));
    expect(plan?.output).toMatchObject({ transport: 'outbox' });
    expect(server.messages).toHaveLength(count);
  });

  it('sends when the earlier attempt addressed someone else', async () => {
    const earlierChanges = [{ target: 'email to someone.else@company.test', operation: 'notify', result: 'changed' as const, after: { sent: true, recipients: ['someone.else@company.test'], transport: 'smtp' } }];
    const count = server.messages.length;
    const { result } = await run({ connections: { smtp: { url: server.url, username: 'bot', password: 's3cret', from: 'x@company.test' } }, earlierChanges }, message);
    expect(result.changed).toBe(true);
    expect(server.messages).toHaveLength(count + 1);
  });

  it('plans the recipients and subject without connecting', async () => {
    const connections = server.connections;
    const ctx = createMockActionContext({ connections: { smtp: { url: server.url, username: 'bot', password: 's3cret', from: 'x@company.test' } }, dryRun: true });
    const plan = (await notifyEmailAction.plan?.(ctx, validParams({ ...message, cc: 'manager@company.test' }))) as ActionPlan<EmailOutput>;
    expect(server.connections).toBe(connections);
    expect(plan.changes).toEqual([
      {
        target: 'email to it-team@company.test, jane.doe@company.test, manager@company.test',
        operation: 'notify',
        after: { subject: 'Offboarded john.smith', to: ['it-team@company.test', 'jane.doe@company.test'], cc: ['manager@company.test'] },
        note: `would send "Offboarded john.smith" from x@company.test through SMTP server 127.0.0.1:${server.port}`,
      },
    ]);
    expect(plan.output).toEqual({ sent: true, recipients: ['it-team@company.test', 'jane.doe@company.test', 'manager@company.test'], transport: 'smtp' });
    expect(ctx.recorded).toEqual([]);
  });

  it('plans "already sent" when an earlier attempt sent it', async () => {
    const earlierChanges = [{ target: 'email to it-team@company.test, jane.doe@company.test', operation: 'notify', result: 'changed' as const, after: { sent: true, recipients: ['it-team@company.test', 'jane.doe@company.test'], transport: 'smtp', message_id: '<m@x>' } }];
    const plan = await notifyEmailAction.plan?.(createMockActionContext({ earlierChanges }), validParams(message));
    expect(plan?.changes[0]?.result).toBe('unchanged');
    expect(plan?.output).toEqual(earlierChanges[0]?.after);
  });
});

describe('notify.email failures that may pass later', () => {
  it('is transient when the server is down', async () => {
    const port = await closedPort();
    const error = await failure({ connections: { smtp: { url: `smtp://127.0.0.1:${port}`, from: 'x@company.test' } } }, message);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('is transient when the server answers 421', async () => {
    const server = await startSmtpServer({
      authOptional: true,
      onMailFrom: (_address, _session, callback) => callback(smtpReply(421, 'Too busy, try again later')),
    });
    try {
      const error = await failure({ connections: { smtp: { url: server.url, from: 'x@company.test' } } }, message);
      expect(error).toBeInstanceOf(TransientError);
      expect(error.message).toContain('421');
      expect(error.details).toMatchObject({ responseCode: 421 });
    } finally {
      await server.close();
    }
  });

  it('is transient for a 451 on the message data', async () => {
    const server = await startSmtpServer({
      authOptional: true,
      onData: (stream, _session, callback) => {
        stream.resume();
        stream.on('end', () => callback(smtpReply(451, 'Local error in processing')));
      },
    });
    try {
      const error = await failure({ connections: { smtp: { url: server.url, from: 'x@company.test' } } }, message);
      expect(error).toBeInstanceOf(TransientError);
      expect(error.message).toContain('451');
    } finally {
      await server.close();
    }
  });

  it('stops the send when the step is cancelled, and says it timed out when that was the reason', async () => {
    for (const [reason, expected] of [
      [new Error('Interrupted by Ctrl-C'), CancelledError],
      [new DOMException('The step timed out after 30s', 'TimeoutError'), TimeoutError],
    ] as const) {
      const controller = new AbortController();
      const server = await startSmtpServer({
        authOptional: true,
        // Abort while the server holds the message: the client must give up, not wait.
        onData: (stream) => {
          stream.resume();
          stream.on('end', () => controller.abort(reason));
        },
      });
      try {
        const error = await failure({ signal: controller.signal, connections: { smtp: { url: server.url, from: 'x@company.test' } } }, message);
        expect(error).toBeInstanceOf(expected);
        expect(error.message).toContain(reason.message);
      } finally {
        await server.close();
      }
    }
  });
});

describe('notify.email over STARTTLS', () => {
  it('refuses an untrusted certificate with a hint, and sends when tls_reject_unauthorized is false', async () => {
    const server = await startSmtpServer({ disabledCommands: [] });
    try {
      const error = await failure({ connections: { smtp: { url: server.url, username: 'bot', password: 's3cret', from: 'x@company.test' } } }, message);
      expect(error.code).toBe('SMTP_TLS');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('connections.smtp.tls_reject_unauthorized');

      const { result } = await run({ connections: { smtp: { url: server.url, username: 'bot', password: 's3cret', from: 'x@company.test', tls_reject_unauthorized: 'false' } } }, message);
      expect(result.output?.sent).toBe(true);
      expect(server.messages).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe('notify.email without SMTP', () => {
  it('writes an .eml file to the outbox in sandbox mode and reports it as sent there', async () => {
    const { ctx, result } = await run({ sandbox: true, runId: 'run-42', stepId: 'notify_it' }, { ...message, cc: 'manager@company.test', html: '<b>done</b>' });
    const files = readdirSync(ctx.paths.outbox);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/-run-42-notify_it\.eml$/);
    const location = `${ctx.paths.outbox}/${files[0] ?? ''}`;
    expect(result.changed).toBe(true);
    expect(result.output).toMatchObject({ sent: true, transport: 'outbox', location, recipients: ['it-team@company.test', 'jane.doe@company.test', 'manager@company.test'] });

    const raw = readFileSync(location, 'utf8');
    const eml = parseEml(raw);
    expect(eml.headers.get('from')).toBe('idflow <idflow@localhost>');
    expect(eml.headers.get('to')).toBe('it-team@company.test, Jane Doe <jane.doe@company.test>');
    expect(eml.headers.get('cc')).toBe('manager@company.test');
    expect(eml.headers.get('subject')).toBe('Offboarded john.smith');
    expect(eml.headers.get('message-id')).toBe(result.output?.message_id);
    expect(eml.headers.get('x-idflow-run-id')).toBe('run-42');
    expect(eml.headers.get('date')).toMatch(/\d{4} \d{2}:\d{2}:\d{2}/);
    expect(eml.text).toBe('John Smith was offboarded.');
    expect(eml.html).toBe('<b>done</b>');
    expect(ctx.recorded[0]).toMatchObject({ operation: 'notify', after: result.output });
  });

  it('plans an outbox delivery in sandbox mode', async () => {
    const ctx = createMockActionContext({ sandbox: true });
    const plan = await notifyEmailAction.plan?.(ctx, validParams(message));
    expect(plan?.output).toEqual({ sent: true, recipients: ['it-team@company.test', 'jane.doe@company.test'], transport: 'outbox' });
    expect(plan?.changes[0]?.note).toContain('outbox');
    expect(readdirSync(ctx.paths.store)).toEqual([]);
  });

  it('in sandbox mode, writes to the outbox rather than send through an SMTP server not on this machine (run and plan)', async () => {
    // A name that cannot resolve: had the action tried to connect, the step would have failed.
    const connections = { smtp: { url: 'smtp://mail.company.invalid:587', username: 'bot@company.test', password: 'real-password', from: 'idflow@company.test' } };
    const { ctx, result } = await run({ sandbox: true, connections, runId: 'run-7', stepId: 'notify_manager' }, message);
    expect(result.output).toMatchObject({ sent: true, transport: 'outbox' });
    expect(readdirSync(ctx.paths.outbox)).toHaveLength(1);
    expect(parseEml(readFileSync(result.output?.location ?? '', 'utf8')).headers.get('from')).toBe('idflow@company.test');
    expect(ctx.logs).toContainEqual(expect.objectContaining({ level: 'info', message: expect.stringContaining('(sandbox mode: SMTP server mail.company.invalid:587 is not on this machine, so nothing is sent to it)') }));
    const plan = await notifyEmailAction.plan?.(createMockActionContext({ sandbox: true, connections }), validParams(message));
    expect(plan?.output).toMatchObject({ transport: 'outbox' });
    expect(plan?.changes[0]?.note).toMatch(/to the outbox .* \(sandbox mode: SMTP server mail\.company\.invalid:587 is not on this machine, so nothing is sent to it\)$/);
  });

  it('outside sandbox mode, says how to configure connections.smtp (run and plan)', async () => {
    const error = await failure({}, message);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.code).toBe('SMTP_NOT_CONFIGURED');
    expect(error.message).toContain('connections:');
    expect(error.message).toContain('smtp:');
    expect(error.message).toContain('--sandbox');
    expect(() => notifyEmailAction.plan?.(createMockActionContext(), validParams(message))).toThrow(/no SMTP connection "smtp"/);
  });
});

describe('notify.email parameters and settings', () => {
  it.each([
    [{ ...message, to: '' }, /"to" is empty/],
    [{ ...message, to: ['ok@company.test', '  '] }, /"to\[1\]" is empty/],
    [{ ...message, to: 'John Smith' }, /"to" contains "John Smith", which is not an email address/],
    [{ ...message, cc: 'manager.company.test' }, /"cc" contains "manager.company.test"/],
    [{ ...message, from: 'a@company.test, b@company.test' }, /"from" must be exactly one email address/],
  ])('refuses bad addresses clearly (%#)', async (raw, pattern) => {
    const error = await failure({ sandbox: true }, raw);
    expect(error.code).toBe('INVALID_PARAMS');
    expect(error.message).toMatch(pattern);
  });

  it.each([
    [{ url: 'http://mail.company.test' }, /connections\.smtp\.url must start with smtp:\/\/ or smtps:\/\//],
    [{ url: 'smtp://mail.company.test', host: 'mail.company.test' }, /either connections\.smtp\.url or connections\.smtp\.host/],
    [{ host: 'mail.company.test', port: 'twenty-five' }, /connections\.smtp\.port must be a port number/],
    [{ host: 'mail.company.test', password: 'pw' }, /connections\.smtp\.password is set but connections\.smtp\.username is not/],
    [{ host: 'mail.company.test', username: 'bot' }, /connections\.smtp\.username is set but connections\.smtp\.password is not/],
    [{ host: 'mail.company.test', secure: 'maybe' }, /connections\.smtp\.secure must be true or false/],
    [{ url: 'smtps://mail.company.test', secure: false }, /contradicts the smtps:\/\/ scheme/],
    [{ from: 'x@company.test' }, /set connections\.smtp\.url/],
    [{ host: 'mail.company.test' }, /no sender: set "from" on the step or connections\.smtp\.from/],
  ])('refuses a wrong SMTP connection before connecting (%#)', async (smtp, pattern) => {
    const error = await failure({ connections: { smtp } }, message);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(pattern);
  });

  it('warns about unknown connection settings, with a suggestion', async () => {
    const ctx = createMockActionContext({ connections: { smtp: { host: 'mail.company.test', usernme: 'bot', from: 'x@company.test' } } });
    await notifyEmailAction.plan?.(ctx, validParams(message));
    expect(ctx.logs).toContainEqual({ level: 'warn', message: 'SMTP connection "smtp" has an unknown setting "usernme"; it is ignored. Did you mean "username"?' });
  });

  it('registers through the plugin API and checks its params', () => {
    const validate = registry.get('notify.email')?.validateParams;
    expect(validate?.({ to: 'a@b.test', subject: 's', text: 't' })).toBe(true);
    expect(validate?.({ to: 'a@b.test', subject: 's' })).toBe(false);
    expect(validate?.({ to: [], subject: 's', text: 't' })).toBe(false);
    expect(validate?.({ to: 'a@b.test', subject: 's', text: 't', attachment: 'x' })).toBe(false);
    const filled: Record<string, unknown> = { to: 'a@b.test', subject: 's', text: 't' };
    validate?.(filled);
    expect(filled.connection).toBe('smtp');
    for (const example of notifyEmailAction.examples ?? []) expect(validate?.(structuredClone(example.with))).toBe(true);
  });
});
