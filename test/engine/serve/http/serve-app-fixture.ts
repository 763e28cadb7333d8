import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ConnectionGate } from '../../../../engine/serve/connection-gate.js';
import type { ApiToken } from '../../../../engine/serve/http/api-tokens.js';
import { createServeApp, registered } from '../../../../engine/serve/http/serve-app.js';
import type { ServePlugin } from '../../../../engine/serve/http/shared-plugin.js';
import type { ServeLogger } from '../../../../engine/serve/serve-logger.js';
import { RunStore } from '../../../../engine/store/run-store.js';
import type { WorkflowDetail } from '../../../../engine/workflows/workflow-detail.js';
import type { WorkflowSummary } from '../../../../engine/workflows/workflow-summary.js';

/** Tokens of each role, long enough to be secrets. */
export const TOKENS = {
  viewer: 'viewer-token-0123456789abcdef',
  operator: 'operator-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef',
} as const;

export const API_TOKENS: ApiToken[] = [
  { name: 'dashboard', role: 'viewer', token: TOKENS.viewer },
  { name: 'ci-offboarding', role: 'operator', token: TOKENS.operator },
  { name: 'serve.token', role: 'admin', token: TOKENS.admin },
];

/** A logger that keeps its lines. */
export function memoryLogger(): ServeLogger & { lines: string[] } {
  const lines: string[] = [];
  const logger: ServeLogger & { lines: string[] } = {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    child: () => logger,
  };
  return logger;
}

/**
 * Serve's Fastify app over a fresh store, without the rest of serve (no runs are started: the
 * webhooks have no source), answering through `app.inject`.
 */
export async function serveApp(options: { tokens?: ApiToken[]; plugins?: Array<ServePlugin<Record<never, never>>>; workflows?: WorkflowDetail[]; store?: RunStore } = {}): Promise<{ app: FastifyInstance; store: RunStore; logger: ReturnType<typeof memoryLogger> }> {
  const store = options.store ?? new RunStore(mkdtempSync(join(tmpdir(), 'idflow-app-')));
  const logger = memoryLogger();
  const details = options.workflows ?? [];
  const { app } = await createServeApp({
    webhook: { settings: { sources: new Map(), signatureToleranceMs: 300_000, maxBodyBytes: 4096 }, intake: undefined as never, now: () => new Date() },
    api: {
      store,
      workflows: (): WorkflowSummary[] => details.map(({ id, name, file, enabled, triggers, lastRun, nextScheduled }) => ({ id, name, file, enabled, triggers, lastRun, nextScheduled })),
      workflow: (id) => details.find((detail) => detail.id === id),
      event: () => undefined,
      health: () => ({ workflows: details.length }),
    },
    tokens: options.tokens ?? API_TOKENS,
    trustProxy: [],
    draining: () => false,
    logger,
    gate: new ConnectionGate({ caps: { total: 10, unauthenticated: 10, hard: 12 }, logger }),
    ...(options.plugins === undefined ? {} : { plugins: options.plugins.map((plugin) => registered(plugin, {})) }),
  });
  return { app, store, logger };
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
