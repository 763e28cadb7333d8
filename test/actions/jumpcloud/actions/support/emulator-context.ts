import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionDefinition, ActionPlan, ActionResult, Change } from '../../../../../engine/plugin-api/action.js';
import { createMockActionContext, type MockActionContext, type MockActionContextOptions } from '../../../../../engine/plugin-api/mock-context.js';
import { IdflowError } from '../../../../../engine/errors/idflow-error.js';
import { loadSandboxData } from '../../../../../actions/jumpcloud/emulator/data/load-sandbox-data.js';
import type { RunningEmulator } from '../../../../../actions/jumpcloud/emulator/server.js';
import type { RequestLogEntry } from '../../../../../actions/jumpcloud/emulator/request-log.js';
import type { SandboxData } from '../../../../../actions/jumpcloud/emulator/data/sandbox-data.js';
import { isReadingRequest } from '../../../../../actions/jumpcloud/client/read-only.js';
import { sandboxConnection } from '../../../../../actions/jumpcloud/emulator/sandbox-provider.js';

/** The example organisation (examples/sandbox/org.json), read once per test file. */
export function loadExampleOrg(): Promise<SandboxData> {
  return loadSandboxData(fileURLToPath(new URL('../../../../../examples/sandbox/org.json', import.meta.url)));
}

/** Client retries without the production back-off, so fault tests take seconds. */
export const FAST_RETRY = { retry_attempts: 8, retry_min_delay_ms: 1, retry_max_delay_ms: 20 } as const;

/** Options of {@link emulatorContext}. */
export interface EmulatorContextOptions extends Omit<MockActionContextOptions, 'connections'> {
  /** Extra settings of the `jumpcloud` connection (protected_accounts, backup_root, …). */
  connection?: Record<string, unknown>;
}

/**
 * A mock action context whose `jumpcloud` connection points at the emulator (as the sandbox
 * provider sets it up), with fast client retries and a fresh folder for paths.
 */
export function emulatorContext(emulator: RunningEmulator, options: EmulatorContextOptions = {}): MockActionContext {
  const { connection, ...rest } = options;
  return createMockActionContext({
    dir: mkdtempSync(join(tmpdir(), 'idflow-jc-actions-')),
    ...rest,
    connections: {
      jumpcloud: { ...sandboxConnection(emulator), ...FAST_RETRY, ...connection },
    },
  });
}

/** The requests since `from` that could change something (not a GET, not a search). */
export function mutatingRequests(emulator: RunningEmulator, from = 0): RequestLogEntry[] {
  return emulator.requests().slice(from).filter((entry) => !isReadingRequest({ method: entry.method as 'GET', path: entry.path }));
}

/** The id of a user by username (or email) in the emulator. */
export function userId(emulator: RunningEmulator, name: string): string {
  const user = emulator.state.user(name);
  if (user === undefined) throw new Error(`no user ${name} in the emulator`);
  return user._id;
}

/** What {@link runLikeTheEngine} returns. */
export interface RetriedRun<O> {
  result: ActionResult<O>;
  /** Attempts it took, 1 when the first succeeded. */
  attempts: number;
  /** Every change recorded, across attempts. */
  changes: Change[];
  /** The context of the last attempt. */
  ctx: MockActionContext;
}

/**
 * Runs an action the way the step runner does: when an attempt fails with a retryable error, the
 * next attempt gets the changes the earlier ones recorded (`earlierChanges`), as after a retry or
 * a resume. Gives up after `maxAttempts`.
 */
export async function runLikeTheEngine<P, O>(
  action: ActionDefinition<P, O>,
  params: P,
  makeContext: (options: { earlierChanges: Change[]; attempt: number }) => MockActionContext,
  maxAttempts = 50,
): Promise<RetriedRun<O>> {
  const changes: Change[] = [];
  for (let attempt = 1; ; attempt++) {
    const ctx = makeContext({ earlierChanges: [...changes], attempt });
    try {
      const result = await action.run(ctx, params);
      changes.push(...ctx.recorded);
      return { result, attempts: attempt, changes, ctx };
    } catch (error) {
      changes.push(...ctx.recorded);
      const retryable = error instanceof IdflowError && error.retryable;
      if (!retryable || attempt >= maxAttempts) throw error;
    }
  }
}

/** The id of a named object of the emulated organisation (group, system, application, server). */
export function objectId(emulator: RunningEmulator, kind: 'usergroups' | 'systems' | 'systemgroups' | 'applications' | 'ldapservers' | 'radiusservers', name: string): string {
  const list = emulator.state.snapshot()[kind] as unknown as Array<Record<string, unknown>>;
  const found = list.find((o) => o['name'] === name || o['displayName'] === name || o['displayLabel'] === name);
  const id = found?.['_id'] ?? found?.['id'];
  if (typeof id !== 'string') throw new Error(`no ${kind} named ${name} in the emulator`);
  return id;
}

/** Calls an action's `plan()` (which every JumpCloud action has) and waits for it. */
export async function planStep<P, O>(action: ActionDefinition<P, O>, ctx: MockActionContext, params: P): Promise<ActionPlan<O>> {
  if (action.plan === undefined) throw new Error(`${action.id} has no plan()`);
  return await action.plan(ctx, params);
}

/** Calls an action's `run()` and waits for it. */
export async function runStep<P, O>(action: ActionDefinition<P, O>, ctx: MockActionContext, params: P): Promise<ActionResult<O>> {
  return await action.run(ctx, params);
}

/** A step's first attempt killed after its calls reached JumpCloud, before their outcomes were journalled. */
export interface KilledAttempt {
  /** The intents (`started`) the killed attempt recorded: all its journal kept. */
  intents: Change[];
  /** A context for the resumed attempt (attempt 2), handed those intents as its earlier changes. */
  resumed: MockActionContext;
  /** The emulator's request count when the resumed attempt starts. */
  from: number;
}

/**
 * Simulates a kill between JumpCloud's changes and their outcomes' journal entries: runs the
 * step once against the emulator (so the changes are made), keeps only the intents it recorded,
 * and returns a context for the resumed attempt that starts from them.
 */
export async function killedAfterTheCalls<P, O>(emulator: RunningEmulator, action: ActionDefinition<P, O>, params: P): Promise<KilledAttempt> {
  const first = emulatorContext(emulator);
  await runStep(action, first, params);
  const intents = first.recorded.filter((change) => change.result === 'started');
  return { intents, resumed: emulatorContext(emulator, { earlierChanges: intents, attempt: 2 }), from: emulator.requests().length };
}

/**
 * The outcomes among recorded changes: every change but the write-ahead intents (`started`),
 * each of which must come before its outcome (same operation and target) — checked here, so
 * that tests asserting on outcomes also hold the actions to recording the intent first.
 */
export function outcomesOf(changes: readonly Change[]): Change[] {
  const open = new Map<string, number>();
  const outcomes: Change[] = [];
  for (const change of changes) {
    const key = `${change.operation}\u0000${change.target}`;
    if (change.result === 'started') {
      open.set(key, (open.get(key) ?? 0) + 1);
      continue;
    }
    outcomes.push(change);
    if (change.result === 'changed' || change.result === 'unchanged') {
      const count = open.get(key) ?? 0;
      if (count === 0) throw new Error(`${change.result} ${change.operation} ${change.target} was recorded without its intent before it`);
      open.set(key, count - 1);
    }
  }
  return outcomes;
}
