import { describe, expect, it } from 'vitest';
import { signedEventHeaders } from '../../support/webhook-signing.js';
import { ENV, eventually, serveFolder, type Serving } from './support/serve-fixture.js';

const LEAVER = `id: hr-leaver
name: HR leaver
subject: "{{inputs.email}}"
inputs:
  email: { type: string, required: true }
triggers:
  - type: event
    event: hr.employee.terminated
    inputs: { email: "{{event.employee.email}}" }
  - type: event
    event: hr.employee.hired
    inputs: { email: "{{event.employee.email}}" }
steps:
  - { id: note, action: log, with: { message: "offboarding {{inputs.email}}" } }
`;

/** POSTs exactly these bytes with exactly these headers (a captured request, replayed). */
async function send(serving: Serving, name: string, raw: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const response = await fetch(`${serving.url}/events/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
  return { status: response.status, body: await response.json() };
}

describe('POST /events/{name}: what the signature covers', () => {
  it('refuses a captured request replayed with another event id header, or to another event name, with 401', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER });
    const serving = await folder.start();
    try {
      const raw = JSON.stringify({ employee: { email: 'ann@x.com' } });
      const captured = signedEventHeaders(ENV.HR_SECRET, 'hr.employee.terminated', raw, { eventId: 'hris-1' });
      expect(await send(serving, 'hr.employee.terminated', raw, captured)).toMatchObject({ status: 202, body: { id: 'hris-1', runs: [{ workflow: 'hr-leaver' }] } });
      // The same signed request with a fresh id header would have been a new event: it is refused.
      const newId = await send(serving, 'hr.employee.terminated', raw, { ...captured, 'x-idflow-event-id': 'hris-2' });
      expect(newId).toMatchObject({ status: 401, body: { error: { code: 'BAD_SIGNATURE', message: expect.stringContaining('"hris-2"') } } });
      // Without the header, the body's id (none here) would be used: refused too.
      const { 'x-idflow-event-id': _dropped, ...withoutId } = captured;
      expect((await send(serving, 'hr.employee.terminated', raw, withoutId)).status).toBe(401);
      // The same request POSTed as another event of the same source.
      expect(await send(serving, 'hr.employee.hired', raw, captured)).toMatchObject({ status: 401, body: { error: { code: 'BAD_SIGNATURE' } } });
      // The exact replay is a duplicate, as before.
      expect(await send(serving, 'hr.employee.terminated', raw, captured)).toMatchObject({ status: 200, body: { duplicate: true } });
      await eventually(() => serving.runtime.services.store.listRuns().every((run) => run.status !== 'running'), 'the run to end');
      expect(serving.runtime.services.store.listRuns()).toHaveLength(1);
    } finally {
      await serving.stop();
    }
  });

  it('signs the body\'s id when there is no header, and refuses the body with another id', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER });
    const serving = await folder.start();
    try {
      const raw = JSON.stringify({ id: 'body-1', employee: { email: 'bob@x.com' } });
      const headers = signedEventHeaders(ENV.HR_SECRET, 'hr.employee.terminated', raw);
      expect(await send(serving, 'hr.employee.terminated', raw, headers)).toMatchObject({ status: 202, body: { id: 'body-1' } });
      const other = raw.replace('body-1', 'body-2');
      expect((await send(serving, 'hr.employee.terminated', other, headers)).status).toBe(401);
    } finally {
      await serving.stop();
    }
  });

  it('refuses a signed event id with a line feed (it could shift the signed fields) with 400', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER });
    const serving = await folder.start();
    try {
      const raw = JSON.stringify({ id: 'a\nb', employee: { email: 'bob@x.com' } });
      expect(await send(serving, 'hr.employee.terminated', raw, signedEventHeaders(ENV.HR_SECRET, 'hr.employee.terminated', raw))).toMatchObject({ status: 400, body: { error: { code: 'INVALID_EVENT_ID' } } });
    } finally {
      await serving.stop();
    }
  });
});

describe('POST /events/{name}: deeply nested bodies', () => {
  it('answers 400 JSON_TOO_DEEP naming the limit for 10,000 levels, signed or not, and stays healthy', async () => {
    const folder = serveFolder({ 'leaver.yaml': LEAVER });
    const serving = await folder.start();
    try {
      const deep = `{"id":"deep-1","employee":{"email":"c@x.com"},"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
      const signed = await send(serving, 'hr.employee.terminated', deep, signedEventHeaders(ENV.HR_SECRET, 'hr.employee.terminated', deep, { eventId: 'deep-1' }));
      expect(signed).toMatchObject({ status: 400, body: { error: { code: 'JSON_TOO_DEEP', message: expect.stringContaining('64 levels') } } });
      const objects = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
      expect(await send(serving, 'hr.employee.terminated', objects, {})).toMatchObject({ status: 400, body: { error: { code: 'JSON_TOO_DEEP' } } });
      // Brackets inside strings do not count, and 64 levels are fine.
      const inString = JSON.stringify({ id: 'deep-2', employee: { email: 'd@x.com' }, note: '['.repeat(10_000) });
      expect((await send(serving, 'hr.employee.terminated', inString, signedEventHeaders(ENV.HR_SECRET, 'hr.employee.terminated', inString))).status).toBe(202);
      const sixtyFour = `{"id":"deep-3","employee":{"email":"e@x.com"},"x":${'['.repeat(63)}${']'.repeat(63)}}`;
      expect((await send(serving, 'hr.employee.terminated', sixtyFour, signedEventHeaders(ENV.HR_SECRET, 'hr.employee.terminated', sixtyFour))).status).toBe(202);
      expect((await fetch(`${serving.url}/healthz`)).status).toBe(200);
      expect(folder.log()).not.toMatch(/Maximum call stack|INTERNAL/);
    } finally {
      await serving.stop();
    }
  });
});
