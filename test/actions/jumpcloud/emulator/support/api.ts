import { expect } from 'vitest';
import type { RunningEmulator } from '../../../../../actions/jumpcloud/emulator/index.js';
import { contractProblems, documentedHeaders, endpointFor } from './contract.js';

/** One response, read whole. */
export interface ApiReply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Options of one call. */
export interface CallOptions {
  body?: unknown;
  /** Sent as is (overrides the default JSON encoding). */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Do not send the API key. */
  anonymous?: boolean;
}

/** Every endpoint key a test suite has exercised with a contract check (for coverage assertions). */
export const exercised = new Set<string>();

/**
 * A tiny client for tests: real `fetch` over loopback with the emulator's key, and every
 * response of a JumpCloud endpoint checked against the contract extract (body schema, status,
 * documented headers) before the test sees it.
 */
export function apiFor(emulator: RunningEmulator, defaults: { headers?: Record<string, string> } = {}) {
  // Bodies default to `any`: they are checked against the contract schemas above before a test
  // reads them, and typing every JumpCloud response shape again in tests would only restate them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return async function call<T = any>(method: string, pathAndQuery: string, options: CallOptions = {}): Promise<ApiReply<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...(defaults.headers ?? {}), ...(options.headers ?? {}) };
    if (options.anonymous !== true) headers['x-api-key'] ??= emulator.apiKey;
    let payload: string | undefined = options.rawBody;
    if (payload === undefined && options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${emulator.url}${pathAndQuery}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await response.text();
    const body = text === '' ? undefined : (JSON.parse(text) as T);
    const path = new URL(pathAndQuery, 'http://x').pathname;
    const key = endpointFor(method, path);
    if (key !== undefined) {
      expect(contractProblems(key, response.status, body), `${method} ${pathAndQuery} → ${response.status}`).toEqual([]);
      if (response.status < 300) {
        for (const header of documentedHeaders(key)) expect(response.headers.get(header), `${key} must send ${header}`).not.toBeNull();
        exercised.add(key);
      }
    }
    return { status: response.status, headers: response.headers, body: body as T };
  };
}

/** The signature of {@link apiFor}'s result. */
export type Api = ReturnType<typeof apiFor>;
