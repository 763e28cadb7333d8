/**
 * Durable timers: deferred actions (e.g. deleting a suspended account after its retention
 * period) that any run can schedule through `ctx.scheduleTimer` and `idflow serve` fires when
 * they are due, as ordinary one-step runs.
 */
export { TimerStore, type NewTimer, type TimerFilter } from './timer-store.js';
export { TIMER_STATES, isFinalState, type TimerRecord, type TimerState } from './timer-record.js';
export { createTimerScheduler, checkTimerRequest, type TimerSchedulerDeps } from './timer-scheduler.js';
export { fireTimer, type FireTimerOptions, type TimerFiring, type TimerRuntime } from './fire-timer.js';
export { timerTemplate, timerWorkflowId } from './timer-workflow.js';
