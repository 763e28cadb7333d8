import type { RetryPolicy } from './types.js';

/**
 * The retry policy a step gets when its template says nothing: three attempts, exponential
 * backoff from half a second, never more than thirty seconds between attempts. Only transient
 * errors (network, 429, 5xx, timeouts) are retried at all. The loader fills it in; the runner
 * falls back to it for workflows built in code.
 */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({ attempts: 3, backoff: 'exponential', delayMs: 500, maxDelayMs: 30_000 });
