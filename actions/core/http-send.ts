import { PermanentError, TimeoutError, TransientError } from '../../engine/errors/action-errors.js';
import { isNetworkError } from '../../engine/errors/classify.js';
import { abortedError } from './abort-error.js';
import { networkFailureReason } from './http-errors.js';
import { formatDuration } from './timeout-param.js';

/** One HTTP call, as the core HTTP actions make it. */
export interface HttpCall {
  method: string;
  url: URL;
  headers: Readonly<Record<string, string>>;
  body?: string;
  /** Gives up (with a retryable {@link TimeoutError}) when the whole exchange takes longer. */
  timeoutMs: number;
  /** The step's signal: Ctrl-C, shutdown and step timeouts abort the request in flight. */
  signal: AbortSignal;
  /** What is sent where, for messages, e.g. `POST to hooks.slack.com`; never a secret URL. */
  what: string;
}

/** The response, read in full. */
export interface HttpReply {
  status: number;
  statusText: string;
  headers: Headers;
  /** The body as text (empty for HEAD and 204). */
  text: string;
}

/**
 * Makes one HTTP call with the runtime's fetch and reads the whole body, under both the step's
 * signal and the call's own timeout. Never throws a bare fetch error: a timeout becomes a
 * {@link TimeoutError}, the step's abort a timeout or cancellation (see {@link abortedError}),
 * a network failure (refused, reset, DNS) a {@link TransientError}, anything else a
 * {@link PermanentError}. Any status is returned: judging it is the caller's job.
 */
export async function sendHttp(call: HttpCall): Promise<HttpReply> {
  if (call.signal.aborted) throw abortedError(call.signal, call.what);
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), call.timeoutMs);
  const signal = AbortSignal.any([call.signal, timeout.signal]);
  try {
    const response = await fetch(call.url, {
      method: call.method,
      headers: call.headers,
      ...(call.body === undefined ? {} : { body: call.body }),
      signal,
      redirect: 'follow',
    });
    const text = await response.text();
    return { status: response.status, statusText: response.statusText, headers: response.headers, text };
  } catch (error) {
    if (call.signal.aborted) throw abortedError(call.signal, call.what, error);
    if (timeout.signal.aborted) throw new TimeoutError(`${call.what} got no complete response within ${formatDuration(call.timeoutMs)}`, { cause: error });
    if (isNetworkError(error)) throw new TransientError(`${call.what} failed: ${networkFailureReason(error)}`, { cause: error });
    throw new PermanentError(`${call.what} could not be sent: ${networkFailureReason(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
