import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { serveConfig, serveFolder } from './support/serve-fixture.js';

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
});
