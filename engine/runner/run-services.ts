import type { ActionRegistry } from '../registry/action-registry.js';
import type { TemplateEngine } from '../templating/index.js';
import type { Redactor } from '../logging/redactor.js';
import type { RunStore } from '../store/run-store.js';
import type { ChildWorkflowRequest, ChildWorkflowResult, ConnectionResolver, PendingTimer, ScheduledTimer, TimerRequest } from '../plugin-api/context.js';

/** How the live progress view is shown (see engine/logging/run-logger.ts). */
export interface ConsoleOptions {
  stream: NodeJS.WritableStream;
  mode: 'pretty' | 'plain' | 'quiet' | 'silent';
  /** Prefix for every console line (the subject, in bulk runs). */
  prefix?: string;
}

/** Who is starting a child run, for `ctx.runWorkflow`. */
export interface ParentRun {
  runId: string;
  stepId: string;
  templatePath: string;
  initiatedBy: string;
  reason?: string;
  signal: AbortSignal;
  /** The child run this step started in an earlier session, to resume instead of starting anew. */
  existingChildRunId?: string;
  /** The parent's drain signal: a child run stops at its next step boundary with its parent. */
  drain?: AbortSignal;
  /** The parent's console, so the child's progress shows under it. */
  console: ConsoleOptions;
  /** Called as soon as the child run has an id (journaled before it does anything). */
  onChildStarted(childRunId: string, workflowId: string): void;
}

/**
 * Everything a run needs from its surroundings. The CLI and `idflow serve` build it from the
 * config file, the environment and the loaded plugins (engine/runtime/); tests build it directly.
 */
export interface RunServices {
  registry: ActionRegistry;
  templates: TemplateEngine;
  store: RunStore;
  /** Redacts secret values at every sink; every secret the run meets is added to it. */
  redactor: Redactor;
  connections: ConnectionResolver;
  /** A secret by name (config `secrets:`, then the environment); undefined when not configured. */
  secret(name: string): string | undefined;
  sandbox: boolean;
  /** With `sandbox`: the organisation file the sandboxes started from (recorded for resume). */
  sandboxData?: string;
  cwd: string;
  /** Runs a child workflow (for `workflow.run`). */
  runChild?(request: ChildWorkflowRequest, parent: ParentRun): Promise<ChildWorkflowResult>;
  /** Records a durable timer (for deferred actions such as deletion after retention). */
  scheduleTimer?(timer: TimerRequest, runId: string, workflowId: string): Promise<ScheduledTimer>;
  /** The pending timer with a key that this run's timers would replace or keep (read-only; plans use it too). */
  pendingTimer?(key: string): Promise<PendingTimer | undefined>;
  /** Overrides the retry policy's delays (tests and benchmarks). */
  retryDelayScale?: number;
}
