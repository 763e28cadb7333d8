/**
 * `idflow serve`: signed webhooks, cron schedules, event sources (Directory Insights) and due
 * timers start runs of a folder of templates; a monitoring API shows them; SIGTERM drains them.
 */
export { startServe, type ServeOptions, type RunningServe } from './serve-host.js';
export { resolveServeSettings, SERVE_DEFAULTS, type ServeSettings, type ServeFlags } from './serve-settings.js';
export { signEvent, verifySignature, sameSecret, SIGNATURE_HEADER, TIMESTAMP_HEADER, type SignatureCheck } from './signature.js';
export { EVENT_ID_HEADER } from './webhook-route.js';
export { CronSchedule, checkSchedule } from './cron-schedule.js';
export { matchEvent, planScheduledRun, type IncomingEvent, type PlannedRun, type SkippedRun, type MatchContext } from './trigger-matching.js';
export { EventInbox, type EventRecord } from './event-inbox.js';
export type { EventResponse } from './event-intake.js';
export { RunDispatcher, type RunJob, type JobContext, type JobStart, type Submission } from './run-dispatcher.js';
export { ScheduleRunner, SYSTEM_CLOCK, type ScheduleClock } from './schedule-runner.js';
