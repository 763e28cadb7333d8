import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../../engine/runtime/runtime.js';
import { startServe, type RunningServe } from '../../engine/serve/serve-host.js';
import { signedEventHeaders } from '../support/webhook-signing.js';
import { repoRoot } from '../support/cli.js';
import { FUZZ_SEED, FULL } from '../reliability/support/suite-settings.js';
import { applyTextEdits, noise, textEdit, withinTime } from './support/mutations.js';

/**
 * Fuzzing `idflow serve`'s webhook (`POST /events/{name}`), in process over loopback: signed
 * bodies that are valid events, events of the wrong shape, mutated JSON and not JSON at all,
 * odd event names, and missing, wrong or stale signatures. Every request gets a JSON answer with
 * a documented status — 200 or 202 with what was started, or an error with a code and a
 * message — never a 500, a dropped connection or a hang; and serve stays healthy throughout.
 */

const RUNS = FULL ? 5000 : 1000;
const SECRET = 'fuzz-hr-webhook-secret-0001';
const TOKEN = 'fuzz-monitoring-token-0002';
const TEMPLATE = `id: fuzz-target
name: Fuzz target
subject: "{{inputs.who}}"
inputs:
  who: { type: string, required: true }
  reason: { type: string }
  count: { type: integer }
triggers:
  - type: event
    event: hr.employee.terminated
    if: { "===": [{ var: event.employee.status }, terminated] }
    inputs:
      who: "{{event.employee.email}}"
      reason: "{{default event.reason \\"none\\"}}"
      count: "{{event.count}}"
steps:
  - id: say
    action: log
    with: { message: "offboarding {{inputs.who}} because {{inputs.reason}}" }
`;

let dir: string;
let runtime: Runtime;
let serve: RunningServe;
let logText = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'idflow-fuzz-serve-'));
  mkdirSync(join(dir, 'templates'));
  writeFileSync(join(dir, 'templates', 'fuzz-target.yaml'), TEMPLATE);
  writeFileSync(join(dir, 'idflow.config.yaml'), ['serve:', '  token: { env: SERVE_TOKEN }', '  sources:', '    hr: { secret: { env: HR_SECRET } }', '  concurrency: 4', '  max_body_bytes: 65536', ''].join('\n'));
  const env = { HR_SECRET: SECRET, SERVE_TOKEN: TOKEN };
  runtime = await Runtime.create({ cwd: dir, env, store: join(dir, 'store') });
  const log = new Writable({ write(chunk, _encoding, callback) { logText += String(chunk); callback(); } });
  serve = await startServe({ runtime, workflowsDir: 'templates', cwd: dir, env, flags: { port: '0', host: '127.0.0.1' }, log });
});

afterAll(async () => {
  await serve?.shutdown();
  await runtime?.close();
  rmSync(dir, { recursive: true, force: true });
});

const example = JSON.parse(readFileSync(join(repoRoot, 'examples', 'serve', 'hr-employee-terminated.json'), 'utf8')) as Record<string, unknown>;

/** A body: a well-formed event with odd values, any JSON at all, or broken JSON text. */
const body: fc.Arbitrary<string> = fc.oneof(
  fc.record({
    id: fc.oneof(fc.uuid(), fc.integer(), noise, fc.constant(undefined), fc.jsonValue({ maxDepth: 1 })),
    employee: fc.oneof(
      fc.record({ email: fc.oneof(fc.emailAddress(), noise, fc.jsonValue({ maxDepth: 1 })), status: fc.oneof(fc.constant('terminated'), noise, fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: [] }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    reason: fc.oneof(fc.string(), noise, fc.jsonValue({ maxDepth: 1 }), fc.constant(undefined)),
    count: fc.oneof(fc.integer(), noise, fc.jsonValue({ maxDepth: 1 })),
  }, { requiredKeys: [] }).map((event) => JSON.stringify(event)),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? 'null'),
  fc.tuple(fc.uuid(), fc.array(textEdit, { minLength: 1, maxLength: 3 })).map(([id, edits]) => applyTextEdits(JSON.stringify({ ...example, id }, null, 2), edits)),
  fc.string({ maxLength: 200 }),
);

const eventName = fc.oneof(
  { weight: 8, arbitrary: fc.constant('hr.employee.terminated') },
  { weight: 1, arbitrary: fc.constantFrom('hr.employee.hired', 'psa.contact.inactive', 'hr', 'hr..x', 'HR.Employee.Terminated', 'hr.%2e%2e', `hr.${'x'.repeat(250)}`) },
  { weight: 1, arbitrary: noise.map((n) => `hr.${encodeURIComponent(n)}`) },
);

const signing = fc.oneof({ weight: 8, arbitrary: fc.constant('good' as const) }, { weight: 1, arbitrary: fc.constantFrom('none' as const, 'wrong' as const, 'stale' as const) });

describe(`fuzzed webhook requests (${RUNS} runs, seed ${FUZZ_SEED})`, () => {
  it('always get a JSON answer with a documented status, never a 500, a drop or a hang', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(eventName, body, signing, fc.boolean(), async (name, raw, sign, idHeader) => {
        const now = Math.floor(Date.now() / 1000);
        const timestamp = String(sign === 'stale' ? now - 3600 : now);
        const eventId = idHeader ? `fuzz-${Math.random().toString(36).slice(2)}` : undefined;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (sign !== 'none') Object.assign(headers, signedEventHeaders(sign === 'wrong' ? 'not-the-secret' : SECRET, name, raw, { timestamp, ...(eventId === undefined ? {} : { eventId }) }));
        else if (eventId !== undefined) headers['x-idflow-event-id'] = eventId;
        const response = await withinTime(fetch(`${serve.url}/events/${name}`, { method: 'POST', headers, body: raw }), 10_000, 'a webhook request');
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect([200, 202, 400, 401, 404, 413], `${response.status}: ${text}`).toContain(response.status);
        const answer = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
        if (response.status >= 400) {
          expect(answer.error?.code, text).toMatch(/^[A-Z][A-Z_]+$/);
          expect(typeof answer.error?.message === 'string' && answer.error.message.length > 0, text).toBe(true);
        }
        if (sign !== 'good' && name === 'hr.employee.terminated') expect(response.status, text).toBe(401);
      }),
      { seed: FUZZ_SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The fuzzer reached the parts that matter: events accepted, and events refused for their content.
    expect(statuses.get(202) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(RUNS / 10);
    expect(statuses.get(400) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(RUNS / 10);
    const health = await fetch(`${serve.url}/healthz`);
    expect(health.status).toBe(200);
    expect(logText).not.toMatch(/TypeError|ReferenceError|Cannot read propert/);
  }, FULL ? 600_000 : 120_000);
});
