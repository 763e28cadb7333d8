// A real-world plugin an MSP would write: add an offboarding note to a ticket in the PSA
// (the professional services automation tool that holds the client's tickets).
//
// It shows the parts of the contract a production action needs:
// - the PSA's URL and token come from a named connection (`ctx.connections.get('psa')`), never
//   from the template, and the token is registered for redaction;
// - `plan()` reads the ticket and says which note would be added, changing nothing;
// - idempotency: the note carries a marker (`[idflow:<key>]`); a note with the marker is not
//   added again, and the run reports `changed: false`;
// - errors say whether a retry can help: 401/403 and 404 are permanent, 429 and 5xx transient
//   (with the server's Retry-After), network failures transient;
// - every request gets `ctx.signal`, so timeouts and Ctrl-C stop it;
// - a sandbox run (`--sandbox`) never touches a PSA that is not on this machine: the note is
//   written to the outbox instead (`ctx.paths.outbox`), as idflow's own notify actions do.
//
// It imports nothing from idflow: errors steer retries through plain `retryable`, `status` and
// `retryAfterMs` properties, which idflow reads from any error.
//
// The PSA API it talks to (token in `Authorization: Bearer …`):
//   GET  /tickets/:id        → { id, summary, status }
//   GET  /tickets/:id/notes  → [{ id, text, internal }]
//   POST /tickets/:id/notes  { text, internal } → 201 { id, text, internal }

import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** An HTTP failure from the PSA, carrying the retry decision. */
class PsaError extends Error {
  constructor(message, { status, retryable, retryAfterMs, code } = {}) {
    super(message);
    this.name = 'PsaError';
    this.status = status;
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
    this.code = code;
  }
}

const params = {
  type: 'object',
  properties: {
    ticket_id: {
      type: ['integer', 'string'],
      pattern: '^[0-9]+$',
      minimum: 1,
      description: 'The PSA ticket to note on (its number).',
    },
    text: { type: 'string', minLength: 1, description: 'The note to add, e.g. what the offboarding did.' },
    key: {
      type: 'string',
      minLength: 1,
      description: 'Identifies this note: a ticket that already has a note with this key does not get another. Default: derived from the ticket and the text.',
    },
    internal: { type: 'boolean', default: true, description: 'An internal note (not visible to the client).' },
    connection: { type: 'string', default: 'psa', description: 'The connection (in idflow.config.yaml) with the PSA base_url and token.' },
  },
  required: ['ticket_id', 'text'],
  additionalProperties: false,
};

const output = {
  type: 'object',
  properties: {
    ticket_id: { type: 'integer', description: 'The ticket.' },
    note_id: { type: ['integer', 'string', 'null'], description: 'The note with the marker (added now or found), or null in a plan.' },
    added: { type: 'boolean', description: 'Whether this run added the note.' },
    marker: { type: 'string', description: 'The marker the note carries.' },
  },
  required: ['ticket_id', 'note_id', 'added', 'marker'],
};

export default {
  id: 'example.psa.ticket_note',
  description: 'Add an offboarding note to a PSA ticket (once)',
  params,
  output,
  examples: [
    {
      description: 'Note the offboarding on the ticket that asked for it',
      with: { ticket_id: '{{inputs.ticket_id}}', text: 'Offboarded {{inputs.user_identifier}}: account suspended, groups removed.', key: 'offboarding-{{inputs.user_identifier}}' },
    },
  ],

  async run(ctx, input) {
    const psa = connect(ctx, input);
    if (psa.held) {
      const location = await writeToOutbox(ctx, psa, input);
      ctx.changes.record({ target: `ticket #${psa.ticketId}`, operation: 'note', after: psa.text, result: 'changed', note: `${psa.held}; written to ${location}` });
      ctx.logger.info(`The note for ticket #${psa.ticketId} was written to ${location} (${psa.held})`);
      return { changed: true, output: result(psa, null, false), summary: `written to the outbox: ${location}` };
    }
    const ticket = await psa.ticket();
    const existing = await psa.noteWithMarker();
    if (existing) {
      ctx.logger.info(`Ticket #${ticket.id} already has the note ${psa.marker}; not adding it again`);
      return { changed: false, output: result(psa, existing.id, false), summary: `ticket #${ticket.id} already noted` };
    }
    const note = await psa.request('POST', `/tickets/${psa.ticketId}/notes`, { text: psa.text, internal: input.internal });
    ctx.changes.record({ target: describeTicket(ticket), operation: 'note', after: psa.text, result: 'changed' });
    ctx.logger.info(`Added note ${note.id} to ticket #${ticket.id}`);
    return { changed: true, output: result(psa, note.id, true), summary: `noted on ticket #${ticket.id}` };
  },

  async plan(ctx, input) {
    const psa = connect(ctx, input);
    if (psa.held) {
      const change = { target: `ticket #${psa.ticketId}`, operation: 'note', after: psa.text, note: `would write the note to the outbox ${ctx.paths.outbox} (${psa.held})` };
      return { changes: [change], output: result(psa, null, false), summary: 'would write the note to the outbox' };
    }
    const ticket = await psa.ticket();
    const existing = await psa.noteWithMarker();
    const change = existing
      ? { target: describeTicket(ticket), operation: 'note', result: 'unchanged', note: `already has the note ${psa.marker}` }
      : { target: describeTicket(ticket), operation: 'note', after: psa.text, note: `would add an ${input.internal ? 'internal' : 'public'} note` };
    return { changes: [change], output: result(psa, existing ? existing.id : null, false), summary: existing ? 'already noted' : 'would add a note' };
  },

  async verify(ctx, input) {
    const psa = connect(ctx, input);
    if (psa.held) {
      return (await outboxHasNote(ctx, psa)) ? { ok: true } : { ok: false, problems: [`the outbox ${ctx.paths.outbox} has no note ${psa.marker}`] };
    }
    const existing = await psa.noteWithMarker();
    return existing ? { ok: true } : { ok: false, problems: [`ticket #${psa.ticketId} has no note ${psa.marker}`] };
  },
};

/** The PSA client for one step: settings from the connection, the marker, and requests. */
function connect(ctx, input) {
  const settings = ctx.connections.get(input.connection);
  const baseUrl = settings?.base_url;
  const token = settings?.token;
  if (typeof baseUrl !== 'string' || typeof token !== 'string' || token === '') {
    throw new PsaError(
      `Connection "${input.connection}" needs a base_url and a token: add connections.${input.connection} to idflow.config.yaml, e.g. { base_url: https://psa.example.com/api, token: { env: PSA_TOKEN } }`,
      { retryable: false, code: 'PSA_CONNECTION' },
    );
  }
  // The token reaches us resolved; make sure no log line or record can show it.
  ctx.addRedaction(token);
  const ticketId = Number(input.ticket_id);
  const key = input.key ?? createHash('sha256').update(`${ticketId}\n${input.text}`).digest('hex').slice(0, 16);
  const marker = `[idflow:${key}]`;
  const text = `${input.text}\n\n${marker}`;

  async function request(method, path, body) {
    const url = `${baseUrl.replace(/\/+$/, '')}${path}`;
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: ctx.signal,
    });
    if (!response.ok) throw await httpError(method, path, response);
    return response.json();
  }

  // In a sandbox run, a PSA elsewhere is the real one: it is not contacted (see writeToOutbox).
  const host = URL.canParse(baseUrl) ? new URL(baseUrl).hostname : undefined;
  if (host === undefined) {
    throw new PsaError(`connections.${input.connection}.base_url "${baseUrl}" is not a URL; e.g. https://psa.example.com/api`, { retryable: false, code: 'PSA_CONNECTION' });
  }
  const held = ctx.sandbox && !onThisMachine(host) ? `sandbox mode: the PSA at ${host} is not on this machine, so nothing is sent to it` : undefined;

  return {
    ticketId,
    marker,
    text,
    held,
    request,
    ticket: () => request('GET', `/tickets/${ticketId}`),
    async noteWithMarker() {
      const notes = await request('GET', `/tickets/${ticketId}/notes`);
      return notes.find((note) => typeof note.text === 'string' && note.text.includes(marker));
    },
  };
}

/** Turns a failed response into an error that says whether trying again can help. */
async function httpError(method, path, response) {
  const detail = (await response.text().catch(() => '')).slice(0, 200);
  const what = `PSA ${method} ${path} failed: ${response.status} ${response.statusText}${detail ? ` (${detail})` : ''}`;
  const status = response.status;
  if (status === 401 || status === 403) {
    return new PsaError(`${what}; check the token of the PSA connection`, { status, retryable: false });
  }
  if (status === 404) return new PsaError(what, { status, retryable: false, code: 'NOT_FOUND' });
  if (status === 429 || status >= 500) {
    return new PsaError(what, { status, retryable: true, retryAfterMs: retryAfter(response.headers.get('retry-after')) });
  }
  return new PsaError(what, { status, retryable: false });
}

/** `Retry-After` in milliseconds (seconds or an HTTP date), or undefined. */
function retryAfter(header) {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function result(psa, noteId, added) {
  return { ticket_id: psa.ticketId, note_id: noteId, added, marker: psa.marker };
}

function describeTicket(ticket) {
  return `ticket #${ticket.id}${ticket.summary ? ` "${ticket.summary}"` : ''}`;
}

/** Whether a host name reaches only this machine (a PSA emulator or test server). */
function onThisMachine(host) {
  const name = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '::1';
}

/** Writes the note a sandbox run did not send to the outbox; returns the file. */
async function writeToOutbox(ctx, psa, input) {
  await mkdir(ctx.paths.outbox, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const location = join(ctx.paths.outbox, `${stamp}-${ctx.runId}-${ctx.stepId}.psa-note.json`.replace(/[^A-Za-z0-9_.-]+/g, '-'));
  await writeFile(location, `${JSON.stringify({ ticket_id: psa.ticketId, text: psa.text, internal: input.internal }, null, 2)}\n`, { flag: 'wx' });
  return location;
}

/** Whether the outbox holds a note with the marker (what verify() checks in a sandbox run). */
async function outboxHasNote(ctx, psa) {
  const files = (await readdir(ctx.paths.outbox).catch(() => [])).filter((file) => file.endsWith('.psa-note.json'));
  for (const file of files) {
    const note = JSON.parse(await readFile(join(ctx.paths.outbox, file), 'utf8'));
    if (note.ticket_id === psa.ticketId && typeof note.text === 'string' && note.text.includes(psa.marker)) return true;
  }
  return false;
}
