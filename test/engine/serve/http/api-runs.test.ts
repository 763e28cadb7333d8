import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunStore } from '../../../../engine/store/run-store.js';
import { sampleNewRun } from '../../store/run-fixture.js';
import { bearer, serveApp, TOKENS } from './serve-app-fixture.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** Records `count` finished runs, one an hour from 2026-12-01T00:00Z, alternating workflows and outcomes. */
function recordRuns(store: RunStore, count: number): string[] {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const startedAt = new Date(Date.UTC(2026, 11, 1, index)).toISOString();
    const workflow = index % 2 === 0 ? { id: 'offboard', name: 'Offboard' } : { id: 'onboard', name: 'Onboard' };
    const run = store.createRun(sampleNewRun({ workflow, subject: `user${index}@Example.com` }), { startedAt });
    run.updateMeta({ status: index % 3 === 0 ? 'failed' : 'succeeded', finishedAt: startedAt });
    ids.push(run.id);
  }
  return ids.reverse(); // newest first
}

async function get(url: string): Promise<{ status: number; body: any }> {
  const answer = await (app as FastifyInstance).inject({ url, headers: bearer(TOKENS.viewer) });
  return { status: answer.statusCode, body: answer.json() };
}

describe('GET /api/runs: filters and pages', () => {
  it('pages newest first by the before cursor and by offset, with the total', async () => {
    const served = await serveApp();
    app = served.app;
    const newestFirst = recordRuns(served.store, 7);
    const first = await get('/api/runs?limit=3');
    expect(first.body.runs.map((r: { id: string }) => r.id)).toEqual(newestFirst.slice(0, 3));
    expect(first.body).toMatchObject({ total: 7, next: newestFirst[2] });
    const second = await get(`/api/runs?limit=3&before=${first.body.next}`);
    expect(second.body.runs.map((r: { id: string }) => r.id)).toEqual(newestFirst.slice(3, 6));
    const last = await get(`/api/runs?limit=3&before=${second.body.next}`);
    expect(last.body).toMatchObject({ total: 7, next: null });
    expect(last.body.runs.map((r: { id: string }) => r.id)).toEqual(newestFirst.slice(6));
    expect((await get('/api/runs?limit=2&offset=5')).body.runs.map((r: { id: string }) => r.id)).toEqual(newestFirst.slice(5, 7));
    // A run recorded while someone pages does not shift the next page.
    served.store.createRun(sampleNewRun(), { startedAt: '2026-12-02T00:00:00.000Z' });
    expect((await get(`/api/runs?limit=3&before=${first.body.next}`)).body.runs.map((r: { id: string }) => r.id)).toEqual(newestFirst.slice(3, 6));
  });

  it('filters by workflow, status, subject (any case, part of it) and start time (a date is a whole UTC day)', async () => {
    const served = await serveApp();
    app = served.app;
    recordRuns(served.store, 30);
    const ofWorkflow = await get('/api/runs?workflow=onboard&limit=1000');
    expect(ofWorkflow.body.total).toBe(15);
    expect(ofWorkflow.body.runs.every((r: { workflow: { id: string } }) => r.workflow.id === 'onboard')).toBe(true);
    const failed = await get('/api/runs?status=failed&workflow=offboard');
    expect(failed.body.runs.map((r: { subject: string }) => r.subject)).toEqual(['user24@Example.com', 'user18@Example.com', 'user12@Example.com', 'user6@Example.com', 'user0@Example.com']);
    expect((await get('/api/runs?subject=USER2')).body.runs.map((r: { subject: string }) => r.subject)).toEqual(['user29@Example.com', 'user28@Example.com', 'user27@Example.com', 'user26@Example.com', 'user25@Example.com', 'user24@Example.com', 'user23@Example.com', 'user22@Example.com', 'user21@Example.com', 'user20@Example.com', 'user2@Example.com']);
    // 30 hours from 2026-12-01T00:00Z: 24 on the 1st, 6 on the 2nd.
    expect((await get('/api/runs?since=2026-12-02')).body.total).toBe(6);
    expect((await get('/api/runs?until=2026-12-01')).body.total).toBe(24);
    expect((await get('/api/runs?since=2026-12-01T10:00:00Z&until=2026-12-01T12:00:00%2B00:00')).body.runs.map((r: { subject: string }) => r.subject)).toEqual(['user11@Example.com', 'user10@Example.com']);
  });

  it.each([
    ['limit=0', 'limit', 'must be a whole number from 1 to 1000 (got "0")'],
    ['limit=ten', 'limit', 'must be a whole number from 1 to 1000 (got "ten")'],
    ['limit=1001', 'limit', 'must be a whole number from 1 to 1000'],
    ['status=done', 'status', 'must be one of running, succeeded, failed, interrupted, cancelled, skipped (got "done")'],
    ['since=yesterday', 'since', 'must be a date (2026-12-07, a UTC day) or a date and time with its zone'],
    ['until=2026-02-30', 'until', 'no such day or time'],
    ['offset=-1', 'offset', 'must be a whole number, 0 or more'],
    ['staus=failed', 'staus', 'is not one GET /api/runs takes'],
    ['before=20990101-0000-zzzzzz', 'before', 'no run has the id "20990101-0000-zzzzzz"'],
  ])('answers %s with 400 INVALID_FILTER naming the parameter', async (query, name, message) => {
    ({ app } = await serveApp());
    const answer = await get(`/api/runs?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('INVALID_FILTER');
    expect(answer.body.error.message).toContain(`the query parameter "${name}"`);
    expect(answer.body.error.message).toContain(message);
  });

  it('refuses before and offset together', async () => {
    ({ app } = await serveApp());
    expect((await get('/api/runs?before=x&offset=1')).body.error).toEqual({ code: 'INVALID_FILTER', message: 'give either the query parameter "before" or "offset", not both' });
  });
});
