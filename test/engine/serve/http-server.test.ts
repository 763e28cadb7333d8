import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signedEventHeaders } from '../../support/webhook-signing.js';
import { ENV, serveConfig, serveFolder } from './support/serve-fixture.js';
import { NO_OPENSSL, throwawayCertificate } from './support/tls-files.js';

const NOTE = `id: note
name: Note
inputs:
  who: { type: string, required: true }
triggers:
  - type: event
    event: hr.employee.terminated
    inputs: { who: "{{event.who}}" }
steps:
  - { id: note, action: log, with: { message: "{{inputs.who}}" } }
`;

/**
 * Sends request headers on a raw socket, then streams body bytes for as long as the connection
 * stays open (at most `forMs`). Returns what came back and how many body bytes were sent.
 */
function streamEndlessBody(url: string, head: string, forMs = 4_000): Promise<{ answer: string; closed: boolean; sent: number; afterAnswerMs: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    let sent = 0;
    let answeredAt: number | undefined;
    let closed = false;
    // One chunk of the chunked transfer coding: its size in hex, the bytes, CRLF.
    const chunk = Buffer.concat([Buffer.from('4000\r\n'), Buffer.alloc(0x4000, 'a'), Buffer.from('\r\n')]);
    const pump = setInterval(() => {
      if (socket.writable) socket.write(chunk, () => { sent += chunk.length; });
    }, 5);
    const finish = (): void => {
      clearInterval(pump);
      clearTimeout(timer);
      socket.destroy();
      resolve({ answer, closed, sent, afterAnswerMs: answeredAt === undefined ? Number.NaN : Date.now() - answeredAt });
    };
    const timer = setTimeout(finish, forMs);
    socket.on('data', (data: Buffer) => {
      answer += data.toString();
      answeredAt ??= Date.now();
    });
    socket.on('close', () => { closed = true; finish(); });
    socket.on('error', () => undefined);
    socket.write(head);
  });
}

/** An HTTPS request; resolves with the status and body text. */
function httpsCall(url: string, options: RequestOptions, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, options, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('serve\'s HTTP server against hostile senders', () => {
  it.each([
    ['an unknown source (404)', 'POST /events/payroll.employee.terminated HTTP/1.1', '404', 'UNKNOWN_SOURCE'],
    ['a wrong method (405)', 'PUT /events/hr.employee.terminated HTTP/1.1', '405', 'METHOD_NOT_ALLOWED'],
    ['no such route (404)', 'POST /nowhere HTTP/1.1', '404', 'NOT_FOUND'],
  ])('answers %s and closes the connection instead of reading an endless unauthenticated body', async (_what, line, status, code) => {
    const folder = serveFolder({ 'note.yaml': NOTE });
    const serving = await folder.start();
    try {
      const result = await streamEndlessBody(serving.url, `${line}\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
      expect(result.answer).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(result.answer).toContain(code);
      expect(result.answer.toLowerCase()).toContain('connection: close');
      expect(result.closed).toBe(true);
      expect(result.afterAnswerMs).toBeLessThan(1_000);
      expect((await fetch(`${serving.url}/healthz`)).status).toBe(200);
    } finally {
      await serving.stop();
    }
  });

  it('never reads an unauthenticated body past max_body_bytes (413, then closed)', async () => {
    const folder = serveFolder({ 'note.yaml': NOTE }, serveConfig('  max_body_bytes: 4096'));
    const serving = await folder.start();
    try {
      const result = await streamEndlessBody(serving.url, 'POST /events/hr.employee.terminated HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
      expect(result.answer).toMatch(/^HTTP\/1.1 413 /);
      expect(result.closed).toBe(true);
      expect(result.afterAnswerMs).toBeLessThan(1_000);
    } finally {
      await serving.stop();
    }
  });

  it('warns that events and the token travel in plain text when it listens beyond loopback without TLS, and not on loopback', async () => {
    const wide = serveFolder({ 'note.yaml': NOTE });
    const serving = await wide.start({ host: '0.0.0.0' });
    await serving.stop();
    expect(wide.log()).toMatch(/warn\s+listening on 0\.0\.0\.0, beyond this machine, without TLS: events, their signatures and the API's bearer tokens travel in plain text; set serve\.tls/);
    const local = serveFolder({ 'note.yaml': NOTE });
    const onLoopback = await local.start({ host: '127.0.0.1' });
    await onLoopback.stop();
    expect(local.log()).toContain('listening on http://127.0.0.1:');
    expect(local.log()).not.toContain('without TLS');
  });

  it.skipIf(NO_OPENSSL !== undefined)('serves HTTPS with serve.tls (a plain HTTP request fails)', async () => {
    const files = throwawayCertificate();
    const folder = serveFolder({ 'note.yaml': NOTE }, serveConfig(`  tls: { cert: ${JSON.stringify(files.cert)}, key: ${JSON.stringify(files.key)} }`));
    const serving = await folder.start();
    try {
      expect(serving.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = readFileSync(files.cert);
      const health = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpsRequest(`${serving.url}/healthz`, { ca }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => { body += c.toString(); });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });
      // A signed event and a monitoring call over the same TLS connection (keep-alive).
      const agent = new HttpsAgent({ ca, keepAlive: true, maxSockets: 1 });
      const raw = JSON.stringify({ id: 'tls-1', who: 'ann@x.com' });
      const event = await httpsCall(`${serving.url}/events/hr.employee.terminated`, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...signedEventHeaders(ENV.HR_SECRET, 'hr.employee.terminated', raw) } }, raw);
      expect(event.status, event.body).toBe(202);
      const runs = await httpsCall(`${serving.url}/api/runs`, { agent, headers: { authorization: `Bearer ${ENV.SERVE_TOKEN}` } });
      expect(runs.status, runs.body).toBe(200);
      agent.destroy();
      const plain = await new Promise<string>((resolve) => {
        const req = httpRequest(serving.url.replace('https:', 'http:') + '/healthz', (res) => resolve(`answered ${res.statusCode ?? 0}`));
        req.on('error', (error) => resolve(`failed: ${error.message}`));
        req.end();
      });
      expect(plain).toMatch(/^failed: /);
    } finally {
      await serving.stop();
    }
  });
});
