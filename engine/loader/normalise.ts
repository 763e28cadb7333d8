import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_RETRY_POLICY } from '../language/defaults.js';
import type { RetryPolicy, Step, Trigger, ValueDeclaration, Workflow } from '../language/types.js';
import { parseDuration } from './duration.js';
import { isRecord } from './workflow-data.js';

/**
 * Resolves a plugin spec relative to the folder of the file that names it, as the plugin
 * loader does: a path (`./x.mjs`, `plugins/x.ts`, a folder) that exists there, or that is
 * written as a path, becomes absolute; a package name (`idflow-plugin-psa`, `@acme/pack`) is
 * kept as written (the plugin loader finds packages from that folder).
 */
export function resolvePluginPath(spec: string, baseDir: string): string {
  if (isAbsolute(spec)) return spec;
  const candidate = resolve(baseDir, spec);
  const pathLike = spec.startsWith('.') || spec.includes('\\') || /\.(c|m)?(j|t)s$/.test(spec);
  return pathLike || existsSync(candidate) ? candidate : spec;
}

/**
 * Turns schema-valid workflow data into the {@link Workflow} the engine runs, with every
 * default filled: triggers `[{type: manual}]`, `with: {}`, `concurrency: 1`,
 * `continue_on_error: false`, `verify: false`, durations in milliseconds, the fields a
 * `retry:` leaves out from {@link DEFAULT_RETRY_POLICY} (the runner's policy for steps without
 * `retry:`, so `retry: { attempts: 5 }` changes only the number of attempts), plugins resolved
 * against the template's folder.
 */
export function normaliseWorkflow(data: Record<string, unknown>, baseDir: string): Workflow {
  const workflow: Workflow = {
    id: data['id'] as string,
    name: data['name'] as string,
    inputs: declarations(data['inputs']),
    vars: declarations(data['vars']),
    triggers: Array.isArray(data['triggers']) && data['triggers'].length > 0 ? (data['triggers'] as Trigger[]) : [{ type: 'manual' }],
    steps: steps(data['steps']),
    on_failure: steps(data['on_failure']),
    plugins: Array.isArray(data['plugins']) ? (data['plugins'] as string[]).map((spec) => resolvePluginPath(spec, baseDir)) : [],
  };
  if (typeof data['version'] === 'string') workflow.version = data['version'];
  if (typeof data['description'] === 'string') workflow.description = data['description'];
  if (typeof data['subject'] === 'string') workflow.subject = data['subject'];
  if (data['when'] !== undefined) workflow.when = data['when'];
  if (data['output'] !== undefined) workflow.output = data['output'];
  return workflow;
}

function declarations(value: unknown): Record<string, ValueDeclaration> {
  return isRecord(value) ? (value as Record<string, ValueDeclaration>) : {};
}

function steps(value: unknown): Step[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((raw) => {
    const step: Step = {
      id: raw['id'] as string,
      action: raw['action'] as string,
      with: isRecord(raw['with']) ? raw['with'] : {},
      concurrency: typeof raw['concurrency'] === 'number' ? raw['concurrency'] : 1,
      continue_on_error: raw['continue_on_error'] === true,
      verify: raw['verify'] === true,
    };
    if (typeof raw['name'] === 'string') step.name = raw['name'];
    if (raw['if'] !== undefined) step.if = raw['if'];
    if (typeof raw['foreach'] === 'string' || Array.isArray(raw['foreach'])) step.foreach = raw['foreach'];
    if (isRecord(raw['retry'])) step.retry = retryPolicy(raw['retry']);
    const timeoutMs = parseDuration(raw['timeout']);
    if (timeoutMs !== undefined) step.timeoutMs = timeoutMs;
    return step;
  });
}

function retryPolicy(raw: Record<string, unknown>): RetryPolicy {
  return {
    attempts: typeof raw['attempts'] === 'number' ? raw['attempts'] : DEFAULT_RETRY_POLICY.attempts,
    backoff: raw['backoff'] === 'fixed' ? 'fixed' : DEFAULT_RETRY_POLICY.backoff,
    delayMs: parseDuration(raw['delay']) ?? DEFAULT_RETRY_POLICY.delayMs,
    maxDelayMs: parseDuration(raw['max_delay']) ?? Math.max(DEFAULT_RETRY_POLICY.maxDelayMs, parseDuration(raw['delay']) ?? 0),
  };
}
