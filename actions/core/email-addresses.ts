import addressparser from 'nodemailer/lib/addressparser';
import { PermanentError } from '../../engine/errors/action-errors.js';

/** One mailbox: an address and an optional display name. */
export interface Mailbox {
  address: string;
  name: string;
}

// Deliberately loose (RFC 5322 allows much more): it catches the real mistakes — a name with no
// address, an empty template, a missing @ — without refusing unusual but valid addresses.
const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+$/;

/**
 * Parses an address parameter: one string or a list of strings, each of which may hold several
 * comma-separated addresses in any RFC 5322 form (`a@b.c`, `Jane Doe <jane@b.c>`, groups).
 *
 * @param value - the parameter value.
 * @param field - the parameter name, for errors (e.g. `to`).
 * @returns the mailboxes in order, without duplicates (by address, case-insensitively).
 * @throws PermanentError (code `INVALID_PARAMS`) naming the field and the offending entry when
 *   an entry is empty or is not an email address.
 */
export function parseMailboxes(value: string | readonly string[] | undefined, field: string): Mailbox[] {
  if (value === undefined) return [];
  const entries = typeof value === 'string' ? [value] : value;
  const seen = new Set<string>();
  const mailboxes: Mailbox[] = [];
  entries.forEach((entry, index) => {
    const where = typeof value === 'string' ? `"${field}"` : `"${field}[${index}]"`;
    if (entry.trim() === '') {
      throw new PermanentError(`notify.email: ${where} is empty; give an email address (a template that rendered to nothing?)`, { code: 'INVALID_PARAMS' });
    }
    for (const mailbox of addressparser(entry, { flatten: true })) {
      if (!ADDRESS.test(mailbox.address)) {
        const shown = mailbox.address === '' ? mailbox.name : mailbox.address;
        throw new PermanentError(`notify.email: ${where} contains "${shown}", which is not an email address`, { code: 'INVALID_PARAMS' });
      }
      const key = mailbox.address.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      mailboxes.push({ address: mailbox.address, name: mailbox.name });
    }
  });
  return mailboxes;
}

/**
 * Parses a parameter that must name exactly one mailbox (`from`: the step's, the connection's or the sandbox default).
 * @throws PermanentError when it names none or several.
 */
export function parseSingleMailbox(value: string, field: string): Mailbox {
  const mailboxes = parseMailboxes(value, field);
  const [first] = mailboxes;
  if (first === undefined || mailboxes.length > 1) {
    throw new PermanentError(`notify.email: "${field}" must be exactly one email address, got "${value}"`, { code: 'INVALID_PARAMS' });
  }
  return first;
}
