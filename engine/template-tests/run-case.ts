import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Problem } from '../diagnostics/problem.js';
import { IdflowError } from '../errors/idflow-error.js';
import { ValidationError } from '../errors/usage-errors.js';
import { readInputsFile } from '../inputs/index.js';
import type { Workflow } from '../language/types.js';
import type { RunOutcome } from '../runner/run-session.js';
import { startRun } from '../runner/start-run.js';
import { Runtime, type LoadedWorkflow } from '../runtime/runtime.js';
import { templatePin } from '../runtime/template-pin.js';
import { matchEvent } from '../serve/trigger-matching.js';
import { amendmentOf, type TemplateTestFile, type TestCase } from './test-file.js';
import { outboxMessages, type SentEmail, type SentWebhook } from './outbox-messages.js';
import { checkExpectations } from './check-expectations.js';
import { TimerStore } from '../timers/timer-store.js';
import type { Difference } from './subset-match.js';

/** Where a case's runtime comes from: the command's working directory, config and plugins. */
export interface CaseEnvironment {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  configFile?: string;
  plugins: readonly string[];
}

/** What one run of a case did, as the expectations read it. */
export interface RunObservation {
  runId?: string;
  status: 'succeeded' | 'failed' | 'interrupted' | 'cancelled' | 'skipped' | 'not_triggered' | 'refused';
  output?: unknown;
  error?: string;
  failedStep?: string;
  /** Changes made (result `changed`), by step: the step's action and each target's name. */
  changes: Array<{ step: string; action: string; target: string; operation: string }>;
  emails: SentEmail[];
  webhooks: SentWebhook[];
  /** The durable timers the run scheduled (new ones: a timer already pending and kept is not one). */
  timers: ScheduledTimerView[];
  /** Problems of a refused run (its inputs, variables or parameters), with their places. */
  problems: Problem[];
}

/** A timer a run scheduled, as `timers:` expectations read it. */
export interface ScheduledTimerView {
  id: string;
  action: string;
  key: string;
  due: string;
  params: Record<string, unknown>;
  description: string;
}

/** The result of one case. */
export interface CaseResult {
  file: string;
  name: string;
  index: number;
  passed: boolean;
  durationMs: number;
  /** How the first run ended. */
  status: RunObservation['status'];
  runId?: string;
  differences: Difference[];
  /** Problems that refused the run, when the case did not expect it to be refused. */
  problems: Problem[];
}

/**
 * Runs one case: a fresh sandbox organisation (the test file's, then the case's changes) and a
 * temporary store, so that cases are independent of each other and of the user's `.idflow/`;
 * the run (from the case's inputs, or its event through the template's triggers); then every
 * expectation is checked, with a second run on the state the first left for `idempotent`.
 * Everything runs against the built-in sandboxes: an isolated runtime reads no connections or
 * secrets from the config, so no real service is ever reached.
 */
export async function runCase(test: TemplateTestFile, testCase: TestCase, environment: CaseEnvironment): Promise<CaseResult> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'idflow-test-'));
  const base = { file: test.file, name: testCase.name, index: testCase.index };
  let runtime: Runtime | undefined;
  try {
    const sandboxFile = testCase.sandbox?.file ?? test.sandbox?.file;
    const amendment = amendmentOf(test.sandbox, testCase.sandbox);
    runtime = await Runtime.create({
      cwd: environment.cwd,
      env: environment.env,
      ...(environment.configFile === undefined ? {} : { configFile: environment.configFile }),
      plugins: environment.plugins,
      store: join(dir, 'store'),
      sandbox: sandboxFile ?? true,
      ...(amendment === undefined ? {} : { sandboxAmendment: amendment }),
      isolated: true,
    });
    const loaded = await runtime.loadWorkflow(test.template);
    const first = await observeRun(runtime, loaded, test, testCase);
    const differences = checkExpectations(testCase.expect, first, runtime);
    if (testCase.expect.idempotent === true) {
      const second = await observeRun(runtime, loaded, test, testCase);
      differences.push(...idempotenceDifferences(first, second));
    }
    const unexpectedRefusal = first.status === 'refused' && testCase.expect.status !== 'refused';
    return { ...base, passed: differences.length === 0, durationMs: performance.now() - started, status: first.status, ...(first.runId === undefined ? {} : { runId: first.runId }), differences, problems: unexpectedRefusal ? first.problems : [] };
  } finally {
    await runtime?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Starts one run of the case and records what it did. */
async function observeRun(runtime: Runtime, loaded: LoadedWorkflow, test: TemplateTestFile, testCase: TestCase): Promise<RunObservation> {
  const { workflow } = loaded;
  const initiatedBy = testCase.initiated_by ?? 'idflow-test';
  const nothing = { changes: [], emails: [], webhooks: [], timers: [], problems: [] };
  let inputs: Record<string, unknown>;
  let vars: Record<string, unknown>;
  let event: { name: string; payload: Record<string, unknown> } | undefined;
  try {
    vars = runtime.resolveVars(workflow, { values: { ...test.vars, ...testCase.vars }, origin: test.file });
    if (testCase.event !== undefined) {
      event = { name: testCase.event.name, payload: await eventPayload(testCase) };
      const matched = matchEvent({ name: event.name, id: `idflow-test-${testCase.index}`, source: 'idflow test', payload: event.payload }, [loaded], {
        templates: runtime.services.templates,
        isEnabled: () => true,
        varsFor: () => vars,
        initiatedBy,
        now: new Date(),
      });
      const planned = matched.planned[0];
      if (planned === undefined) {
        const why = matched.listening === 0 ? `the template has no trigger for the event "${event.name}"` : matched.skipped.map((s) => s.reason).join('; ');
        return { ...nothing, status: 'not_triggered', error: why };
      }
      inputs = planned.inputs;
    } else {
      const pointer = `/cases/${testCase.index}/inputs`;
      inputs = runtime.resolveInputs(workflow, {
        pairs: {},
        file: { values: testCase.inputs ?? {}, problems: [], source: '', origin: { file: test.file, locate: (path, at) => test.map.locate(`${pointer}${path}`, at) } },
      });
    }
  } catch (error) {
    if (error instanceof ValidationError) return { ...nothing, status: 'refused', error: error.message, problems: [...error.problems] as Problem[] };
    throw error;
  }
  const reason = typeof inputs['reason'] === 'string' && inputs['reason'].trim() !== '' ? inputs['reason'].trim() : undefined;
  let outcome: RunOutcome;
  try {
    outcome = await startRun({
      workflow,
      template: templatePin(loaded),
      inputs,
      vars,
      ...(event === undefined ? {} : { event: event.payload }),
      trigger: event === undefined ? { type: 'manual' } : { type: 'event', event: event.name, eventId: `idflow-test-${testCase.index}`, source: 'idflow test' },
      initiatedBy,
      ...(reason === undefined ? {} : { reason }),
      signal: new AbortController().signal,
      console: { stream: process.stderr, mode: 'silent' },
    }, runtime.services);
  } catch (error) {
    if (error instanceof ValidationError) return { ...nothing, status: 'refused', error: error.message, problems: [...error.problems] as Problem[] };
    throw error;
  }
  const sent = await outboxMessages(join(runtime.services.store.root, 'outbox'), outcome.runId);
  return {
    runId: outcome.runId,
    status: outcome.status,
    ...(outcome.output === undefined ? {} : { output: outcome.output }),
    ...(outcome.error === undefined ? {} : { error: outcome.error instanceof IdflowError ? outcome.error.message : String(outcome.error) }),
    ...(outcome.failedStep === undefined ? {} : { failedStep: outcome.failedStep }),
    changes: changesOf(runtime, outcome.runId, workflow),
    timers: timersOf(runtime, outcome.runId),
    ...sent,
    problems: [],
  };
}

/** The changes a run made (result `changed`), each with its step's action and the target's name. */
function changesOf(runtime: Runtime, runId: string, workflow: Workflow): RunObservation['changes'] {
  const actions = new Map([...workflow.steps, ...workflow.on_failure].map((step) => [step.id, step.action]));
  const handle = runtime.services.store.openRun(runId);
  const changes: RunObservation['changes'] = [];
  for (const event of handle.events()) {
    if (event.type !== 'step.change') continue;
    if (event.change.result !== undefined && event.change.result !== 'changed') continue;
    changes.push({ step: event.step, action: actions.get(event.step) ?? event.step, target: event.change.target, operation: event.change.operation });
  }
  return changes;
}

/** The timers a run scheduled, as recorded in the store's timers. */
function timersOf(runtime: Runtime, runId: string): ScheduledTimerView[] {
  const timers = new TimerStore(runtime.services.store.root);
  const scheduled: ScheduledTimerView[] = [];
  for (const event of runtime.services.store.openRun(runId).events()) {
    if (event.type !== 'timer.scheduled') continue;
    const timer = timers.get(event.timerId);
    scheduled.push({ id: timer.id, action: timer.action, key: timer.key, due: timer.dueAt, params: timer.params, description: timer.description });
  }
  return scheduled;
}

/** A second run must end as the first did and change nothing. */
function idempotenceDifferences(first: RunObservation, second: RunObservation): Difference[] {
  const differences: Difference[] = [];
  if (second.status !== first.status && second.status !== 'succeeded') {
    differences.push({ path: 'idempotent', expected: first.status, actual: second.status, message: `the second run ended ${second.status}${second.error ? ` (${second.error})` : ''}, the first ${first.status}` });
  }
  if (second.timers.length > 0) {
    differences.push({ path: 'idempotent', expected: [], actual: second.timers.map((t) => `${t.action}: ${t.key}`), message: `the second run scheduled ${second.timers.length} timer${second.timers.length === 1 ? '' : 's'} again: ${second.timers.map((t) => `${t.action} (${t.key}) due ${t.due}`).join('; ')}` });
  }
  if (second.changes.length > 0) {
    differences.push({ path: 'idempotent', expected: [], actual: second.changes.map((c) => `${c.action}: ${c.target}`), message: `the second run changed ${second.changes.length} thing${second.changes.length === 1 ? '' : 's'}: ${second.changes.map((c) => `${c.action} ${c.operation} ${c.target}`).join('; ')}` });
  }
  return differences;
}

async function eventPayload(testCase: TestCase): Promise<Record<string, unknown>> {
  const event = testCase.event;
  if (event?.payload_file === undefined) return event?.payload ?? {};
  const read = await readInputsFile(event.payload_file);
  if (read.problems.some((p) => p.severity === 'error')) throw new ValidationError('INVALID_INPUT', `the payload file of case "${testCase.name}" has problems`, read.problems);
  return { ...read.values, ...event.payload };
}
