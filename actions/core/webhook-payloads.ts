/**
 * The JSON bodies chat tools accept on their incoming webhooks, built from one title, one text
 * and a list of facts, so that a template says what to tell and not how each tool wants it.
 */

/** One fact: a label and its value (a count, a name, a list). */
export interface WebhookFact {
  name: string;
  value: unknown;
}

/** What a notification says. */
export interface WebhookMessage {
  title?: string;
  text?: string;
  facts?: readonly WebhookFact[];
}

/** Slack's limits (api.slack.com/reference/block-kit/blocks). */
const SLACK_HEADER_MAX = 150;
const SLACK_SECTION_TEXT_MAX = 3000;
const SLACK_FIELD_MAX = 2000;
const SLACK_FIELDS_PER_SECTION = 10;

/** A fact's value as text: lists joined by commas, objects as JSON, nothing as an empty string. */
export function factText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.map(factText).join(', ');
  return JSON.stringify(value);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Escapes the three characters Slack's mrkdwn treats as control characters. Fact names and
 * values are data (a user's display name may contain `<`), so they are escaped; the `text` is
 * written by the template author and may use mrkdwn links on purpose, so it is not.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A one-line version of the message, for notification previews and clients without blocks. */
export function plainSummary(message: WebhookMessage): string {
  const lines = [message.title, message.text].filter((line): line is string => line !== undefined && line.trim() !== '');
  if (lines.length === 0 && message.facts !== undefined) lines.push(message.facts.map((f) => `${f.name}: ${factText(f.value)}`).join('; '));
  return lines.join('\n');
}

/**
 * A Slack incoming-webhook body: `text` (the notification fallback) and Block Kit `blocks`
 * (a header for the title, a section for the text, facts as two-column fields, ten per section).
 */
export function slackPayload(message: WebhookMessage): { text: string; blocks: Array<Record<string, unknown>> } {
  const blocks: Array<Record<string, unknown>> = [];
  if (message.title !== undefined && message.title.trim() !== '') {
    blocks.push({ type: 'header', text: { type: 'plain_text', text: truncate(message.title, SLACK_HEADER_MAX), emoji: true } });
  }
  if (message.text !== undefined && message.text.trim() !== '') {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(message.text, SLACK_SECTION_TEXT_MAX) } });
  }
  const facts = message.facts ?? [];
  for (let i = 0; i < facts.length; i += SLACK_FIELDS_PER_SECTION) {
    const fields = facts.slice(i, i + SLACK_FIELDS_PER_SECTION).map((fact) => ({
      type: 'mrkdwn',
      text: truncate(`*${escapeSlack(fact.name)}*\n${escapeSlack(factText(fact.value))}`, SLACK_FIELD_MAX),
    }));
    blocks.push({ type: 'section', fields });
  }
  return { text: plainSummary(message), blocks };
}

/**
 * A Microsoft Teams message carrying an Adaptive Card (title, text, a FactSet): the format both
 * Teams Workflows ("Post to a channel when a webhook request is received") and the older
 * Office 365 incoming-webhook connector accept.
 */
export function teamsAdaptiveCardPayload(message: WebhookMessage): Record<string, unknown> {
  const body: Array<Record<string, unknown>> = [];
  if (message.title !== undefined && message.title.trim() !== '') {
    body.push({ type: 'TextBlock', text: message.title, weight: 'Bolder', size: 'Medium', wrap: true, style: 'heading' });
  }
  if (message.text !== undefined && message.text.trim() !== '') body.push({ type: 'TextBlock', text: message.text, wrap: true });
  if (message.facts !== undefined && message.facts.length > 0) {
    body.push({ type: 'FactSet', facts: message.facts.map((fact) => ({ title: fact.name, value: factText(fact.value) })) });
  }
  return {
    type: 'message',
    summary: truncate(plainSummary(message), 150),
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          msteams: { width: 'Full' },
        },
      },
    ],
  };
}

/**
 * A legacy Office 365 connector MessageCard (title, text, one section of facts), for Teams
 * channels still on the old incoming-webhook connector that want it.
 */
export function teamsMessageCardPayload(message: WebhookMessage): Record<string, unknown> {
  return {
    '@type': 'MessageCard',
    '@context': 'https://schema.org/extensions',
    summary: truncate(plainSummary(message), 150),
    ...(message.title === undefined ? {} : { title: message.title }),
    ...(message.text === undefined ? {} : { text: message.text }),
    ...(message.facts !== undefined && message.facts.length > 0 ? { sections: [{ facts: message.facts.map((fact) => ({ name: fact.name, value: factText(fact.value) })) }] } : {}),
  };
}
