import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ActionRegistry } from '../../../engine/registry/action-registry.js';
import { createTemplateEngine } from '../../../engine/templating/index.js';
import { Redactor } from '../../../engine/logging/redactor.js';
import { RunStore } from '../../../engine/store/run-store.js';
import { loadWorkflowSource } from '../../../engine/loader/load-workflow.js';
import type { Workflow } from '../../../engine/language/types.js';
import type { ConsoleOptions, RunServices } from '../../../engine/runner/run-services.js';
import type { StartRunRequest } from '../../../engine/runner/start-run.js';
import { templatePin } from '../../../engine/runtime/template-pin.js';

/** Runner services over a real store in a fresh temporary folder, as the CLI builds them. */
export interface BenchServices {
  services: RunServices;
  /** A console that swallows everything (the progress view is not what is measured). */
  console: ConsoleOptions;
  /** Removes the temporary folder. */
  dispose(): void;
}

/**
 * Builds {@link RunServices} the way `Runtime.create` does (registry, template engine, a real
 * {@link RunStore} with the default durability, one redactor), with `registry` holding the
 * actions a benchmark uses.
 */
export function createBenchServices(registry: ActionRegistry, name: string): BenchServices {
  const dir = mkdtempSync(join(tmpdir(), `idflow-bench-${name}-`));
  const redactor = new Redactor();
  const services: RunServices = {
    registry,
    templates: createTemplateEngine(),
    store: new RunStore(join(dir, 'store'), { redactor }),
    redactor,
    connections: { get: () => undefined },
    secret: () => undefined,
    sandbox: false,
    cwd: dir,
  };
  const sink = new Writable({ write(_chunk, _encoding, callback) { callback(); } });
  return { services, console: { stream: sink, mode: 'silent' }, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Loads and checks generated template text with the real loader (what `idflow run` does before
 * a run), failing loudly if the benchmark's own template has a problem.
 */
export async function loadBenchWorkflow(source: string, file: string, registry: ActionRegistry): Promise<{ workflow: Workflow; source: string; hash: string; file: string }> {
  const result = await loadWorkflowSource(source, file, { registry });
  const errors = result.problems.filter((p) => p.severity === 'error');
  if (result.workflow === undefined || errors.length > 0) {
    throw new Error(`the benchmark template ${file} has problems: ${errors.map((p) => `${p.line}:${p.column} ${p.message}`).join('; ')}`);
  }
  return { workflow: result.workflow, source: result.source, hash: result.hash, file };
}

/** A start request for a loaded benchmark workflow (manual, by `bench`; organisation variables `vars`). */
export function benchStartRequest(loaded: { workflow: Workflow; source: string; hash: string; file: string }, console: ConsoleOptions, inputs: Record<string, unknown>, vars: Record<string, unknown> = {}): StartRunRequest {
  return {
    workflow: loaded.workflow,
    template: templatePin(loaded),
    inputs,
    vars,
    trigger: { type: 'manual' },
    initiatedBy: 'bench',
    signal: new AbortController().signal,
    console,
  };
}
