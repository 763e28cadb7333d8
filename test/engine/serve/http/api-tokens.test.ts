import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { requireRole } from '../../../../engine/serve/auth/request-principal.js';
import { API_TOKENS, bearer, serveApp, TOKENS } from './serve-app-fixture.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A route needing the operator role and one needing admin, standing in for the write routes. */
async function guardedRoutes(instance: FastifyInstance): Promise<void> {
  instance.post('/api/test/operate', { preHandler: requireRole('operator') }, async (request) => ({ by: request.principal }));
  instance.get('/api/test/admin', { preHandler: requireRole('admin') }, async (request) => ({ by: request.principal?.name }));
}

describe('serve\'s API tokens', () => {
  it('lets each role read, and only operators and admins reach an operator route, naming who they are', async () => {
    ({ app } = await serveApp({ plugins: [guardedRoutes] }));
    for (const token of Object.values(TOKENS)) {
      const runs = await app.inject({ url: '/api/runs', headers: bearer(token) });
      expect(runs.statusCode, runs.body).toBe(200);
      expect(runs.json()).toEqual({ runs: [], total: 0, next: null });
      expect((await app.inject({ url: '/api/workflows', headers: bearer(token) })).json()).toEqual({ workflows: [] });
    }
    const viewer = await app.inject({ method: 'POST', url: '/api/test/operate', headers: bearer(TOKENS.viewer) });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'dashboard is a viewer; this needs the operator role' } });
    const operator = await app.inject({ method: 'POST', url: '/api/test/operate', headers: bearer(TOKENS.operator) });
    expect(operator.json()).toEqual({ by: { name: 'ci-offboarding', role: 'operator', via: 'token' } });
    expect((await app.inject({ url: '/api/test/admin', headers: bearer(TOKENS.operator) })).statusCode).toBe(403);
    const admin = await app.inject({ url: '/api/test/admin', headers: bearer(TOKENS.admin) });
    expect(admin.json()).toEqual({ by: 'serve.token' });
  });

  it('lists the tokens to admins only, by name and role, never a value', async () => {
    ({ app } = await serveApp());
    const listed = await app.inject({ url: '/api/tokens', headers: bearer(TOKENS.admin) });
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual({ tokens: [{ name: 'dashboard', role: 'viewer' }, { name: 'ci-offboarding', role: 'operator' }, { name: 'serve.token', role: 'admin' }] });
    for (const token of Object.values(TOKENS)) expect(listed.body).not.toContain(token.slice(0, 12));
    for (const weaker of [TOKENS.viewer, TOKENS.operator]) expect((await app.inject({ url: '/api/tokens', headers: bearer(weaker) })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/tokens' })).statusCode).toBe(401);
  });

  it('answers 401 at once to a wrong bearer token, never as an anonymous request, and 401 without one', async () => {
    const reached: string[] = [];
    ({ app } = await serveApp({ plugins: [async (instance) => { instance.get('/open', async () => { reached.push('open'); return { open: true }; }); }] }));
    const wrong = await app.inject({ url: '/open', headers: bearer('not-a-token-of-serve-at-all') });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="idflow"');
    expect(wrong.json()).toEqual({ error: { code: 'UNAUTHORISED', message: 'the bearer token is not one of serve.api_tokens' } });
    expect(reached).toEqual([]);
    // A token that only starts like a good one, or differs in case, is just as wrong.
    expect((await app.inject({ url: '/api/runs', headers: bearer(`${TOKENS.admin}x`) })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/runs', headers: bearer(TOKENS.admin.toUpperCase()) })).statusCode).toBe(401);
    const anonymous = await app.inject({ url: '/api/runs' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('UNAUTHORISED');
    // Without a bearer token a request stays anonymous: open routes answer it.
    expect((await app.inject({ url: '/open' })).json()).toEqual({ open: true });
    expect((await app.inject({ url: '/open', headers: { authorization: 'Basic YWxpY2U6c2VjcmV0' } })).json()).toEqual({ open: true });
    // The scheme is case-insensitive, as HTTP says.
    expect((await app.inject({ url: '/api/runs', headers: { authorization: `bearer ${TOKENS.viewer}` } })).statusCode).toBe(200);
  });

  it('refuses every bearer token when none is configured, saying so', async () => {
    ({ app } = await serveApp({ tokens: [] }));
    const answer = await app.inject({ url: '/api/workflows', headers: bearer(API_TOKENS[0]?.token ?? '') });
    expect(answer.statusCode).toBe(401);
    expect(answer.json().error.message).toContain('no API tokens (serve.api_tokens, serve.token');
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('leaves the webhooks\' Authorization header alone: they are authenticated by their signature', async () => {
    ({ app } = await serveApp());
    const answer = await app.inject({ method: 'POST', url: '/events/hr.employee.terminated', headers: { ...bearer('whatever-the-sender-adds-here'), 'content-type': 'application/json' }, payload: '{}' });
    expect(answer.statusCode).toBe(404);
    expect(answer.json().error.code).toBe('UNKNOWN_SOURCE');
  });
});
