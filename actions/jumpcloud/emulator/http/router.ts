import type { IncomingHttpHeaders } from 'node:http';
import type { OrgState, ChangeOrigin } from '../org/org-state.js';
import { badRequest, methodNotAllowed, notFound } from './api-error.js';

/** What a route handler sees of a request. */
export interface ApiRequest {
  method: string;
  /** The decoded path, without the query string. */
  path: string;
  /** Path parameters by name (`/api/systemusers/:id` → `id`), URL-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The raw body text ('' when there is none). */
  rawBody: string;
  /** The body parsed as JSON: undefined for an empty body, a 400 for malformed JSON. */
  json(): unknown;
  /** The organisation the emulator serves. */
  state: OrgState;
  /** Where the request came from, for the events its changes record. */
  origin: ChangeOrigin;
}

/** What a route handler answers. `body: undefined` sends an empty body (as JumpCloud's 204s and text/plain 200s do). */
export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A route handler. Throw an {@link ApiError} to answer with an error. */
export type Handler = (request: ApiRequest) => ApiResponse | Promise<ApiResponse>;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

/**
 * A minimal path router: `:name` segments capture one path segment. An unknown path is a 404
 * and a known path with another method a 405 with `Allow`, as the brief asks.
 */
export class Router {
  readonly #routes: Route[] = [];

  /** Registers a handler; later registrations never shadow earlier ones for the same pattern. */
  add(method: string, pattern: string, handler: Handler): this {
    this.#routes.push({ method: method.toUpperCase(), segments: split(pattern), handler });
    return this;
  }

  /** The handler and its parameters for a request; throws a 404 or 405 {@link ApiError}. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } {
    const segments = split(path);
    const allowed: string[] = [];
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, segments);
      if (params === undefined) continue;
      if (route.method === method) return { handler: route.handler, params };
      if (!allowed.includes(route.method)) allowed.push(route.method);
    }
    if (allowed.length > 0) throw methodNotAllowed(method, allowed);
    throw notFound(`no endpoint ${method} ${path}`);
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] as string;
    const segment = actual[i] as string;
    if (expected.startsWith(':')) {
      try {
        params[expected.slice(1)] = decodeURIComponent(segment);
      } catch {
        throw badRequest(`path segment "${segment}" is not valid percent-encoding`);
      }
    } else if (expected !== segment) {
      return undefined;
    }
  }
  return params;
}
