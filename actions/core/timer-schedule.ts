import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { PermanentError } from '../../engine/errors/action-errors.js';
import { DELAY_PATTERN, parseDelay } from '../../engine/loader/duration.js';
import type { Change } from '../../engine/plugin-api/action.js';
import type { ActionContext, PendingTimer } from '../../engine/plugin-api/context.js';
import { defineAction } from '../../engine/plugin-api/define-action.js';
import { isTimeZone, parseAt } from './due-time.js';

const ID = 'timer.schedule';

const params = {
  type: 'object',
  description: 'Schedules a durable timer: idflow serve runs the action with its parameters when it is due, as a one-step run of its own.',
  properties: {
    action: { type: 'string', minLength: 1, pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$', description: 'The action to run when the timer is due (any registered action id, e.g. jumpcloud.user.set_state); checked when the template is loaded.' },
    with: { type: 'object', default: {}, description: "The action's parameters: plain data after rendering, checked against the action now (and at load where literal). Never a secret: the timer keeps them on disk; name a connection or secret instead." },
    at: { type: 'string', minLength: 1, description: 'When it is due: a date (2026-12-01, 00:00 that day in timezone), a date-time without offset (2026-12-01T09:00, in timezone) or with one (2026-12-01T09:00:00Z). A time already past fires at the next check of idflow serve.' },
    after: { type: 'string', pattern: DELAY_PATTERN, description: 'Or: how long from when it is first scheduled, e.g. 14d, 36h, 2w (units ms, s, m, h, d, w). A rerun that finds the same timer pending keeps it and its due time.' },
    timezone: { type: 'string', minLength: 1, default: 'UTC', description: 'The IANA time zone a date or a date-time without offset in at is read in, e.g. Europe/Paris. Default UTC.' },
    key: { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S', description: 'What the timer is for, for one subject (e.g. "onboarding.activate:<user id>"): scheduling the key again replaces a pending timer with it (or keeps it when it is the same), so a repeated event or a rerun schedules nothing twice. Default: the workflow id, the action and a digest of with.' },
    description: { type: 'string', minLength: 1, pattern: '\\S', description: 'What the timer does, shown by idflow timers list and in its run. Default: "<action> (scheduled by <workflow>)".' },
  },
  required: ['action'],
  // Exactly one of at and after; the loader reports a step with neither or both.
  oneOf: [{ required: ['at'] }, { required: ['after'] }],
  additionalProperties: false,
} as const;

/** What `timer.schedule` returns (`steps.<id>.output`). */
export interface TimerScheduleOutput {
  /** The pending timer (`idflow timers show` it): the new one, or the same one kept. */
  timer_id: string;
  /** When it is due (ISO-8601, UTC). */
  due_at: string;
  /** The timer's key. */
  key: string;
  /** The pending timer with the same key that this one replaced (cancelled), or null. */
  replaced: string | null;
}

const outputSchema = {
  type: 'object',
  properties: {
    timer_id: { type: 'string' },
    due_at: { type: 'string' },
    key: { type: 'string' },
    replaced: { type: ['string', 'null'] },
  },
  required: ['timer_id', 'due_at', 'key', 'replaced'],
  additionalProperties: false,
} as const;

interface Params {
  action: string;
  with: Record<string, unknown>;
  at?: string;
  after?: string;
  timezone: string;
  key?: string;
  description?: string;
}

/** A request worked out from the step's parameters, the same in plan and run. */
interface Request {
  action: string;
  params: Record<string, unknown>;
  key: string;
  description: string;
  /** The due time when `at` was given; for `after`, the delay from now. */
  due: { at: Date } | { afterMs: number; after: string };
}

/**
 * Reads and checks the step's parameters.
 * @throws PermanentError (`INVALID_PARAMS`) naming the parameter.
 */
function request(ctx: Pick<ActionContext, 'workflowId'>, p: Params): Request {
  const invalid = (message: string): never => {
    throw new PermanentError(`${ID}: ${message}`, { code: 'INVALID_PARAMS' });
  };
  if (!isTimeZone(p.timezone)) invalid(`timezone "${p.timezone}" is not a time zone this system knows; use an IANA name such as UTC or Europe/Paris`);
  let due: Request['due'];
  if (p.at !== undefined && p.after !== undefined) return invalid('give either at or after, not both');
  if (p.at !== undefined) {
    const at = parseAt(p.at, p.timezone);
    if (at === undefined) return invalid(`at must be a date (2026-12-01) or date-time (2026-12-01T09:00, 2026-12-01T09:00:00Z), got ${JSON.stringify(p.at)}`);
    due = { at };
  } else if (p.after !== undefined) {
    if (p.timezone !== 'UTC') invalid('timezone only applies to at; after is a delay from now');
    const afterMs = parseDelay(p.after);
    if (afterMs === undefined) return invalid(`after must be a whole number with a unit (ms, s, m, h, d, w), e.g. 14d, got ${JSON.stringify(p.after)}`);
    due = { afterMs, after: p.after };
  } else {
    return invalid('give at (a date or date-time) or after (a delay such as 14d) to say when the timer is due');
  }
  // Absent values are left out, as the timer's file leaves them out, so a rerun compares alike.
  const params = Object.fromEntries(Object.entries(p.with).filter(([, value]) => value !== undefined));
  // The timer's run is a template in the store: a sub-workflow path relative to this template
  // would not resolve there weeks later, so it is refused now.
  const child = params['workflow'];
  if (p.action === 'workflow.run' && typeof child === 'string' && !isAbsolute(child) && /[\\/]|\.ya?ml$/i.test(child)) {
    invalid(`with.workflow "${child}" is a path relative to this template, which the timer's run (kept in the store) cannot resolve; give a shipped template id (e.g. jumpcloud-inactive-users-suspend) or an absolute path`);
  }
  const key = p.key?.trim() ?? `${ctx.workflowId}:${p.action}:${digest(params)}`;
  const description = p.description?.trim() ?? `${p.action} (scheduled by ${ctx.workflowId})`;
  return { action: p.action, params, key, description, due };
}

/** A short digest of the parameters, for the default key: the same parameters, the same key. */
function digest(value: Record<string, unknown>): string {
  return createHash('sha256').update(stableJson(value)).digest('hex').slice(0, 16);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Whether a pending timer is the one this request would keep (see `TimerStore.place`). */
function isSame(pending: PendingTimer, req: Request, dueAt: string): boolean {
  return pending.action === req.action && isDeepStrictEqual(pending.params, req.params) && ('afterMs' in req.due || pending.dueAt === dueAt);
}

function target(req: Request): string {
  return `timer "${req.key}"`;
}

function when(dueAt: string, now: number): string {
  return Date.parse(dueAt) <= now ? `${dueAt} (already past: it fires at the next check of idflow serve)` : dueAt;
}

/**
 * `timer.schedule`: lets a template schedule a durable timer, as the JumpCloud pack's deactivation
 * does for the deferred deletion: when it is due, `idflow serve` runs the action with the
 * parameters as a one-step run of its own (listed, audited, resumable), and `idflow timers`
 * lists and cancels it. A run without `idflow serve` running only records it.
 *
 * Idempotent by key: scheduling a key again replaces its pending timer, or keeps it when it is the
 * same timer (same action and parameters, and the same `at`; any due time for `after`, whose delay
 * counts from the first scheduling), so the same event sent twice, a rerun or a resumed step
 * leaves one timer and reports `unchanged`. A due time already past is accepted and fires at
 * serve's next check rather than failing the step: a run resumed, or an event delivered, after the
 * time still gets its work done, and the plan and the step's summary say so.
 */
export const timerScheduleAction = defineAction<typeof params, TimerScheduleOutput>({
  id: ID,
  description: 'Schedule a durable timer that runs an action later (at a date, or after a delay such as 14d); idflow serve fires it; the same key schedules nothing twice',
  params,
  output: outputSchema,
  runsAction: { action: 'action', with: 'with' },
  examples: [
    {
      description: 'Activate a staged new hire on their start date (the same hire sent twice schedules once)',
      with: {
        action: 'jumpcloud.user.set_state',
        with: { user_id: '{{steps.create.output.user.id}}', state: 'activated' },
        at: '{{inputs.start_date}}',
        timezone: 'Europe/Paris',
        key: 'onboarding.activate:{{steps.create.output.user.id}}',
        description: 'Activate {{inputs.username}} on {{inputs.start_date}}',
      },
    },
    {
      description: 'Run a shipped sub-template after a grace period',
      with: {
        action: 'workflow.run',
        with: { workflow: 'jumpcloud-inactive-users-suspend', inputs: { user_id: '{{item.id}}' } },
        after: '14d',
        key: 'inactive-users.suspend:{{item.id}}',
      },
    },
  ],
  async run(ctx, p) {
    const req = request(ctx, p as Params);
    const dueAt = 'at' in req.due ? req.due.at.toISOString() : undefined;
    const scheduled = await ctx.scheduleTimer({
      due: dueAt ?? (req.due as { afterMs: number }).afterMs,
      action: req.action,
      params: req.params,
      key: req.key,
      description: req.description,
      ...('afterMs' in req.due ? { keepDue: true } : {}),
    });
    const output: TimerScheduleOutput = { timer_id: scheduled.id, due_at: scheduled.dueAt, key: req.key, replaced: scheduled.replaced[0] ?? null };
    // A timer kept from this same run was scheduled by an interrupted attempt of this step.
    const changed = scheduled.keptFrom === undefined || scheduled.keptFrom === ctx.runId;
    const due = when(scheduled.dueAt, Date.now());
    if (Date.parse(scheduled.dueAt) <= Date.now()) ctx.logger.warn(`Timer ${scheduled.id} (${req.key}) is due ${scheduled.dueAt}, already past: idflow serve fires it at its next check`);
    const summary = !changed
      ? `${req.action} already scheduled for ${due} (timer ${scheduled.id})`
      : `${req.action} scheduled for ${due} (timer ${scheduled.id}${output.replaced === null ? '' : `, replacing ${output.replaced}`})`;
    return { changed, output, summary };
  },
  async plan(ctx, p) {
    const req = request(ctx, p as Params);
    const now = Date.now();
    const dueAt = 'at' in req.due ? req.due.at.toISOString() : new Date(now + req.due.afterMs).toISOString();
    const pending = await ctx.pendingTimer(req.key);
    const after = { action: req.action, params: req.params, due_at: dueAt, description: req.description };
    if (pending !== undefined && isSame(pending, req, dueAt)) {
      const change: Change = { target: target(req), operation: 'schedule', before: { timer_id: pending.id, due_at: pending.dueAt }, after: { ...after, due_at: pending.dueAt }, result: 'unchanged', note: `timer ${pending.id} is already pending` };
      return { changes: [change], output: { timer_id: pending.id, due_at: pending.dueAt, key: req.key, replaced: null }, summary: `${req.action} already scheduled for ${when(pending.dueAt, now)} (timer ${pending.id})` };
    }
    const due = 'at' in req.due ? when(dueAt, now) : `${req.due.after} after the run schedules it (about ${dueAt})`;
    const change: Change = {
      target: target(req),
      operation: 'schedule',
      ...(pending === undefined ? {} : { before: { timer_id: pending.id, action: pending.action, params: pending.params, due_at: pending.dueAt } }),
      after,
      result: 'changed',
      note: `would run ${req.action} at ${due}${pending === undefined ? '' : `, replacing timer ${pending.id}`}`,
    };
    return { changes: [change], summary: `would schedule ${req.action} for ${due}${pending === undefined ? '' : ` (replacing timer ${pending.id})`}` };
  },
});
