import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionGate } from '../../../../engine/serve/connection-gate.js';
import { createServeApp, registered } from '../../../../engine/serve/http/serve-app.js';
import { RunStore } from '../../../../engine/store/run-store.js';
import { memoryLogger } from './serve-app-fixture.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function appTrusting(trustProxy: string[]): Promise<FastifyInstance> {
  const logger = memoryLogger();
  const { app: created } = await createServeApp({
    webhook: { settings: { sources: new Map(), signatureToleranceMs: 300_000, maxBodyBytes: 4096 }, intake: undefined as never, now: () => new Date() },
    api: { store: new RunStore(mkdtempSync(join(tmpdir(), 'idflow-proxy-'))), workflows: () => [], workflow: () => undefined, event: () => undefined, health: () => ({}) },
    tokens: [],
    trustProxy,
    draining: () => false,
    logger,
    gate: new ConnectionGate({ caps: { total: 10, unauthenticated: 10, hard: 12 }, logger }),
    plugins: [registered(async (instance: FastifyInstance) => { instance.get('/who', async (request) => ({ ip: request.ip, protocol: request.protocol })); }, {})],
  });
  return created;
}

describe('serve.trust_proxy', () => {
  const forwarded = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' };

  it('believes no X-Forwarded-* header by default: the address and protocol are the connection\'s', async () => {
    app = await appTrusting([]);
    expect((await app.inject({ url: '/who', headers: forwarded, remoteAddress: '127.0.0.1' })).json()).toEqual({ ip: '127.0.0.1', protocol: 'http' });
  });

  it('believes them from a listed proxy only', async () => {
    app = await appTrusting(['127.0.0.1', '10.0.0.0/8']);
    expect((await app.inject({ url: '/who', headers: forwarded, remoteAddress: '10.1.2.3' })).json()).toEqual({ ip: '203.0.113.9', protocol: 'https' });
    expect((await app.inject({ url: '/who', headers: forwarded, remoteAddress: '192.0.2.7' })).json()).toEqual({ ip: '192.0.2.7', protocol: 'http' });
  });
});
