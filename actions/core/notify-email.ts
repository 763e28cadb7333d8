import { createHash } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import { PermanentError } from '../../engine/errors/action-errors.js';
import type { ActionPlan, ActionResult, Change } from '../../engine/plugin-api/action.js';
import type { ActionContext } from '../../engine/plugin-api/context.js';
import { defineAction } from '../../engine/plugin-api/define-action.js';
import type { FromSchema } from '../../engine/plugin-api/json-schema.js';
import { earlierChange, isRecord } from './earlier-change.js';
import { parseMailboxes, parseSingleMailbox, type Mailbox } from './email-addresses.js';
import { safeToken, writeOutboxFile } from './outbox-file.js';
import { smtpError } from './smtp-errors.js';
import { readSmtpSettings, smtpServerName, smtpTransportOptions, type SmtpSettings } from './smtp-settings.js';
import { sandboxHoldReason } from './sandbox-delivery.js';

const addressList = (description: string) => ({
  type: ['string', 'array'],
  items: { type: 'string' },
  minItems: 1,
  description,
}) as const;

const params = {
  type: 'object',
  description: 'Sends an email through the SMTP server of a connection (in sandbox mode, unless that server is on this machine, writes it to the outbox).',
  properties: {
    to: addressList('Recipients: an address, a comma-separated list, or a list ("Jane Doe <jane@example.com>" works too).'),
    cc: addressList('Copy recipients.'),
    bcc: addressList('Blind-copy recipients.'),
    subject: { type: 'string', minLength: 1, description: 'The subject line.' },
    text: { type: 'string', description: 'The plain-text body.' },
    html: { type: 'string', description: 'An HTML body, sent alongside the text body.' },
    from: { type: 'string', minLength: 1, description: 'The sender; default the connection\'s "from".' },
    reply_to: addressList('Where replies go.'),
    connection: { type: 'string', minLength: 1, default: 'smtp', description: 'The SMTP connection in the config.' },
  },
  required: ['to', 'subject', 'text'],
  additionalProperties: false,
} as const;

/** What `notify.email` returns. */
export interface NotifyEmailOutput {
  /** True once the SMTP server accepted the message (or it was written to the outbox). */
  sent: boolean;
  /** Every recipient address (to, cc and bcc). */
  recipients: string[];
  /** `smtp`, or `outbox` in sandbox mode (no SMTP connection, or one not on this machine). */
  transport: 'smtp' | 'outbox';
  /** The Message-ID header of the message. */
  message_id?: string;
  /** The `.eml` file, for the outbox. */
  location?: string;
}

const outputSchema = {
  type: 'object',
  properties: {
    sent: { type: 'boolean' },
    recipients: { type: 'array', items: { type: 'string' } },
    transport: { type: 'string', enum: ['smtp', 'outbox'] },
    message_id: { type: 'string' },
    location: { type: 'string' },
  },
  required: ['sent', 'recipients', 'transport'],
  additionalProperties: false,
} as const;

type Params = FromSchema<typeof params>;

/** The sender used for outbox emails when neither the step nor a connection names one. */
const SANDBOX_FROM = 'idflow <idflow@localhost>';

/** The message, checked, with everything needed to deliver and record it. */
interface Composed {
  to: Mailbox[];
  cc: Mailbox[];
  bcc: Mailbox[];
  replyTo: Mailbox[];
  recipients: string[];
  /** The audit target: `email to a@b, c@d`. */
  target: string;
}

/** Where the message goes: an SMTP server, or the sandbox outbox (with why it is not sent). */
type Delivery = { kind: 'smtp'; settings: SmtpSettings; from: Mailbox } | { kind: 'outbox'; from: Mailbox; reason: string };

function compose(p: Pick<Params, 'to' | 'cc' | 'bcc' | 'reply_to'>): Composed {
  const to = parseMailboxes(p.to, 'to');
  const cc = parseMailboxes(p.cc, 'cc');
  const bcc = parseMailboxes(p.bcc, 'bcc');
  const replyTo = parseMailboxes(p.reply_to, 'reply_to');
  if (to.length === 0) throw new PermanentError('notify.email: "to" names no recipient', { code: 'INVALID_PARAMS' });
  const recipients = [...new Set([...to, ...cc, ...bcc].map((m) => m.address))];
  return { to, cc, bcc, replyTo, recipients, target: `email to ${recipients.join(', ')}` };
}

/**
 * Decides how the message is delivered, checking the connection without touching the network.
 * A sandbox run sends only through an SMTP server on this machine (see
 * {@link sandboxHoldReason}); otherwise, and without a connection, it writes to the outbox.
 * @throws PermanentError when no SMTP connection is configured outside sandbox mode, when the
 *   connection's settings are wrong, or when there is no sender.
 */
function resolveDelivery(ctx: ActionContext, p: Pick<Params, 'connection' | 'from'>): Delivery {
  const connection = ctx.connections.get(p.connection);
  if (connection === undefined) {
    if (ctx.sandbox) return { kind: 'outbox', from: parseSingleMailbox(p.from ?? SANDBOX_FROM, 'from'), reason: `sandbox mode, no SMTP connection "${p.connection}"` };
    throw new PermanentError(
      `notify.email: no SMTP connection "${p.connection}" is configured. Add it to idflow.config.yaml, e.g.\n` +
        `  connections:\n    ${p.connection}:\n      url: smtp://mail.example.com:587\n      username: idflow@example.com\n` +
        `      password: { env: SMTP_PASSWORD }\n      from: idflow@example.com\n` +
        'or run with --sandbox to write emails to the outbox instead of sending them.',
      { code: 'SMTP_NOT_CONFIGURED' },
    );
  }
  const settings = readSmtpSettings(p.connection, connection, (message) => ctx.logger.warn(message));
  if (settings.password !== undefined) ctx.addRedaction(settings.password);
  const sender = p.from ?? settings.from ?? (settings.username?.includes('@') === true ? settings.username : undefined);
  if (sender === undefined) {
    throw new PermanentError(`notify.email: no sender: set "from" on the step or connections.${p.connection}.from`, { code: 'INVALID_PARAMS' });
  }
  const from = parseSingleMailbox(sender, 'from');
  const held = sandboxHoldReason(ctx.sandbox, settings.host, `SMTP server ${smtpServerName(settings)}`);
  return held === undefined ? { kind: 'smtp', settings, from } : { kind: 'outbox', from, reason: held };
}

/**
 * A Message-ID derived from the run, the step and the content: if a crash between sending and
 * recording makes a resumed run send the same message again, receiving systems that
 * deduplicate by Message-ID see one message.
 */
function messageId(ctx: ActionContext, p: Params, composed: Composed, from: Mailbox): string {
  const digest = createHash('sha256').update(JSON.stringify([ctx.runId, ctx.stepId, composed.target, p.subject, p.text, p.html ?? ''])).digest('hex').slice(0, 16);
  const domain = from.address.split('@')[1] ?? 'idflow.local';
  return `<idflow.${safeToken(ctx.runId)}.${safeToken(ctx.stepId)}.${digest}@${domain}>`;
}

function mailOptions(ctx: ActionContext, p: Params, composed: Composed, from: Mailbox): SendMailOptions {
  return {
    from,
    to: composed.to,
    ...(composed.cc.length > 0 ? { cc: composed.cc } : {}),
    ...(composed.bcc.length > 0 ? { bcc: composed.bcc } : {}),
    ...(composed.replyTo.length > 0 ? { replyTo: composed.replyTo } : {}),
    subject: p.subject,
    text: p.text,
    ...(p.html === undefined ? {} : { html: p.html }),
    messageId: messageId(ctx, p, composed, from),
    // Lets whoever reads the message find the run that sent it (`idflow runs show <id>`).
    headers: { 'X-Idflow-Run-Id': ctx.runId, 'X-Idflow-Step': ctx.stepId },
  };
}

/** The output an earlier attempt recorded, if it has the right shape. */
function replayedOutput(change: Change): NotifyEmailOutput | undefined {
  const after = change.after;
  if (!isRecord(after) || typeof after.sent !== 'boolean' || !Array.isArray(after.recipients)) return undefined;
  if (after.transport !== 'smtp' && after.transport !== 'outbox') return undefined;
  return {
    sent: after.sent,
    recipients: after.recipients.filter((r): r is string => typeof r === 'string'),
    transport: after.transport,
    ...(typeof after.message_id === 'string' ? { message_id: after.message_id } : {}),
    ...(typeof after.location === 'string' ? { location: after.location } : {}),
  };
}

/**
 * The output of an earlier send whose record lacks it (a journal from before the output was
 * recorded): sent, to the recipients, by the transport {@link resolveDelivery} picks now.
 */
function earlierOutputGuess(ctx: ActionContext, p: Pick<Params, 'connection' | 'from'>, composed: Composed): NotifyEmailOutput {
  let transport: NotifyEmailOutput['transport'] = 'smtp';
  try {
    transport = resolveDelivery(ctx, p).kind;
  } catch {
    // The connection is gone or wrong now; it was sent before, so this is only a label.
  }
  return { sent: true, recipients: composed.recipients, transport };
}

/**
 * nodemailer, imported when an email is built: importing it with the pack cost every command
 * that loads the built-in actions (`validate`, `run`, `plan`, …) about 40 ms of start-up.
 */
async function loadMailer(): Promise<(typeof import('nodemailer'))['default']> {
  return (await import('nodemailer')).default;
}

async function sendSmtp(ctx: ActionContext, p: Params, composed: Composed, delivery: Extract<Delivery, { kind: 'smtp' }>): Promise<NotifyEmailOutput> {
  const { settings } = delivery;
  const server = smtpServerName(settings);
  ctx.logger.info(`Sending email "${p.subject}" to ${composed.recipients.join(', ')} through SMTP server ${server}`);
  const nodemailer = await loadMailer();
  const transport = nodemailer.createTransport(smtpTransportOptions(settings));
  let info;
  try {
    info = await transport.sendMail({ ...mailOptions(ctx, p, composed, delivery.from), signal: ctx.signal });
  } catch (error) {
    throw smtpError(error, settings, ctx.signal);
  } finally {
    transport.close();
  }
  const accepted = info.accepted.map(String);
  const rejected = info.rejected.map(String);
  const output: NotifyEmailOutput = { sent: true, recipients: accepted.length > 0 ? accepted : composed.recipients, transport: 'smtp', message_id: info.messageId };
  if (rejected.length > 0) {
    // Some recipients have the message: record that first, so that a retry or resume does
    // not send it to them again, then fail for the ones the server refused.
    ctx.changes.record({ target: composed.target, operation: 'notify', after: output, result: 'changed', note: `subject "${p.subject}"; rejected by ${server}: ${rejected.join(', ')}` });
    throw new PermanentError(`SMTP server ${server} rejected the recipient${rejected.length === 1 ? '' : 's'} ${rejected.join(', ')} (the message went to ${accepted.join(', ')}): ${info.response}`, {
      code: 'SMTP_RECIPIENT_REJECTED',
      details: { server, rejected, accepted },
    });
  }
  ctx.logger.info(`Email sent through ${server}`, { message_id: info.messageId, response: info.response });
  return output;
}

async function writeOutbox(ctx: ActionContext, p: Params, composed: Composed, { from, reason }: Extract<Delivery, { kind: 'outbox' }>): Promise<NotifyEmailOutput> {
  // nodemailer's stream transport builds exactly the RFC 822 message SMTP would carry (CRLF
  // line ends, MIME parts, encoded headers); Bcc is kept, as in a sent-items copy.
  const nodemailer = await loadMailer();
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  const info = await transport.sendMail({ ...mailOptions(ctx, p, composed, from), signal: ctx.signal });
  const message = info.message;
  if (!Buffer.isBuffer(message)) throw new PermanentError('notify.email: the outbox message could not be built');
  const location = await writeOutboxFile(ctx, 'eml', message);
  ctx.logger.info(`Email "${p.subject}" to ${composed.recipients.join(', ')} written to ${location} (${reason})`);
  return { sent: true, recipients: composed.recipients, transport: 'outbox', message_id: info.messageId, location };
}

/**
 * `notify.email`: sends an email through SMTP (nodemailer), or in sandbox mode (unless the SMTP
 * server is on this machine) writes it as an `.eml` file to the store's outbox. Sends at most once per step
 * and run: a retry or resume after the send reports `changed: false` with the same output.
 */
export const notifyEmailAction = defineAction({
  id: 'notify.email',
  description: 'Send an email through SMTP (sandbox: write it to the outbox)',
  params,
  output: outputSchema,
  examples: [
    {
      description: 'Tell the IT team who was offboarded',
      with: {
        to: '{{vars.it_team_email}}',
        subject: 'Offboarded {{steps.lookup.output.username}}',
        text: '{{steps.lookup.output.display_name}} was offboarded by run {{run.id}}: {{inputs.reason}}',
      },
    },
  ],
  async run(ctx, p): Promise<ActionResult<NotifyEmailOutput>> {
    const composed = compose(p);
    const earlier = earlierChange(ctx, 'notify', composed.target);
    if (earlier !== undefined) {
      ctx.logger.info(`Email "${p.subject}" to ${composed.recipients.join(', ')} was already sent earlier in this run; not sending it again`);
      const output = replayedOutput(earlier) ?? earlierOutputGuess(ctx, p, composed);
      return { changed: false, output, summary: `already sent to ${composed.recipients.join(', ')}` };
    }
    const delivery = resolveDelivery(ctx, p);
    const output = delivery.kind === 'smtp' ? await sendSmtp(ctx, p, composed, delivery) : await writeOutbox(ctx, p, composed, delivery);
    ctx.changes.record({ target: composed.target, operation: 'notify', after: output, result: 'changed', note: `subject "${p.subject}"` });
    const summary = output.transport === 'outbox' ? `written to the outbox: ${output.location ?? ''}` : `emailed ${composed.recipients.join(', ')}`;
    return { changed: true, output, summary };
  },
  // Only the recipients decide what is sent to whom: a subject or body with parts known only
  // after the run (a new user's id, say) is previewed with them written "(known after run: …)".
  plansKnownAfterRun: ['subject', 'text', 'html'],
  plan(ctx, p): ActionPlan<NotifyEmailOutput> {
    const composed = compose(p);
    const after = { subject: String(p.subject), to: composed.to.map((m) => m.address), ...(composed.cc.length > 0 ? { cc: composed.cc.map((m) => m.address) } : {}), ...(composed.bcc.length > 0 ? { bcc: composed.bcc.map((m) => m.address) } : {}) };
    const earlier = earlierChange(ctx, 'notify', composed.target);
    if (earlier !== undefined) {
      const output = replayedOutput(earlier) ?? earlierOutputGuess(ctx, p, composed);
      return { changes: [{ target: composed.target, operation: 'notify', after, result: 'unchanged', note: 'already sent earlier in this run' }], output, summary: 'already sent' };
    }
    const delivery = resolveDelivery(ctx, p);
    const how = delivery.kind === 'smtp' ? `through SMTP server ${smtpServerName(delivery.settings)}` : `to the outbox ${ctx.paths.outbox} (${delivery.reason})`;
    return {
      changes: [{ target: composed.target, operation: 'notify', after, note: `would send "${p.subject}" from ${delivery.from.address} ${how}` }],
      output: { sent: true, recipients: composed.recipients, transport: delivery.kind },
      summary: `would email ${composed.recipients.join(', ')}`,
    };
  },
});
