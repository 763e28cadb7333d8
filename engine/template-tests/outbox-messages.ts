import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** An email a sandbox run wrote to the outbox, as a test sees it. */
export interface SentEmail {
  to: string[];
  cc: string[];
  subject: string;
  /** The outbox file. */
  file: string;
}

/** A webhook message a sandbox run wrote to the outbox. */
export interface SentWebhook {
  format?: string;
  connection?: string;
  body: unknown;
  file: string;
}

/**
 * The emails and webhook messages one run wrote to a store's outbox (its files are named
 * `<time>-<run id>-<step id>.<extension>`, see actions/core/outbox-file.ts), oldest first.
 */
export async function outboxMessages(outbox: string, runId: string): Promise<{ emails: SentEmail[]; webhooks: SentWebhook[] }> {
  let names: string[];
  try {
    names = (await readdir(outbox)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { emails: [], webhooks: [] };
    throw error;
  }
  const token = `-${runId.replace(/[^A-Za-z0-9_-]+/g, '-')}-`;
  const emails: SentEmail[] = [];
  const webhooks: SentWebhook[] = [];
  for (const name of names.filter((n) => n.includes(token))) {
    const file = join(outbox, name);
    if (name.endsWith('.eml')) emails.push({ ...emailHeaders(await readFile(file, 'utf8')), file });
    else if (name.endsWith('.webhook.json')) {
      const message = JSON.parse(await readFile(file, 'utf8')) as { format?: string; connection?: string; body: unknown };
      webhooks.push({ ...(message.format === undefined ? {} : { format: message.format }), ...(message.connection === undefined ? {} : { connection: message.connection }), body: message.body, file });
    }
  }
  return { emails, webhooks };
}

/** The recipients and subject of an RFC 5322 message (the outbox's `.eml`). */
export function emailHeaders(raw: string): { to: string[]; cc: string[]; subject: string } {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { to: addresses(headers.get('to')), cc: addresses(headers.get('cc')), subject: decodeWords(headers.get('subject') ?? '') };
}

/** The bare addresses of an address list header (`"Jane" <jane@x>, bob@y`). */
function addresses(header: string | undefined): string[] {
  if (header === undefined || header.trim() === '') return [];
  return decodeWords(header).split(',').map((part) => (/<([^>]+)>/.exec(part)?.[1] ?? part).trim()).filter((address) => address !== '');
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`), as nodemailer writes non-ASCII headers. */
function decodeWords(text: string): string {
  return text
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_match, _charset: string, encoding: string, data: string) => {
      if (encoding.toUpperCase() === 'B') return Buffer.from(data, 'base64').toString('utf8');
      const bytes = data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    });
}
