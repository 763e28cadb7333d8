import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildOrg, orgIdentity } from './data/build-org.js';
import { validateSandboxData } from './data/load-sandbox-data.js';
import type { SandboxData } from './data/sandbox-data.js';
import type { DirectoryEvent } from './events/directory-event.js';
import { EventLog } from './events/event-log.js';
import { FaultInjector, type FaultRule, type FaultSettings } from './faults.js';
import { checkAccess } from './http/access-check.js';
import { ApiError, injectedServerError, tooManyRequests } from './http/api-error.js';
import { Router, type ApiResponse } from './http/router.js';
import { deterministicObjectId, isObjectId, ObjectIdFactory } from './object-id.js';
import { OrgState, type OrgSnapshot } from './org/org-state.js';
import type { AssociationEdge, IssuedCommand, PushEndpoint, SystemUser } from './org/records.js';
import { createRandom } from './random.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';
import { addAdminRoutes } from './routes/admin.js';
import { addDirectoryInsightsRoutes } from './routes/directory-insights.js';
import { addPolicyRoutes } from './routes/policies.js';
import { addResourceRoutes } from './routes/resources.js';
import { addSystemGraphRoutes } from './routes/system-graph.js';
import { addSystemUserRoutes } from './routes/system-users.js';
import { addUserGraphRoutes } from './routes/user-graph.js';
import { addUserGroupRoutes } from './routes/user-groups.js';
import { persistOrg, restoreOrg } from './org/persisted-org.js';
import { readStateFile, stateSource, writeStateFile, type SavedState } from './state-file.js';

/** How to start the emulator. Everything is optional. */
export interface EmulatorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1: the emulator is for this machine only). */
  host?: string;
  /** The API key to accept; a random 40-hex key when absent. */
  apiKey?: string;
  /**
   * Run as a multi-tenant admin of this organisation: `x-org-id` becomes required and must equal
   * it (contract §1.2). It also becomes the organisation id of every record. Must be an ObjectId.
   */
  orgId?: string;
  /** The organisation to start with (an org file, e.g. from {@link loadSandboxData}); empty when absent. */
  data?: SandboxData;
  /** Added delay per API request, ms. */
  latencyMs?: number;
  /** Probability (0–1) of a random 500/502/503. */
  failRate?: number;
  /** Requests per second before 429 with `Retry-After`; 0 or absent = unlimited. */
  rateLimit?: number;
  /** Probability (0–1) of dropping the connection without a response. */
  dropRate?: number;
  /** Seed for every random choice (faults, generated ids, event ids), for reproducible runs. */
  seed?: number | string;
  /** Removing an absent membership or association answers 404 instead of 204. */
  strictRemove?: boolean;
  /** How many request log entries to keep (default 200,000). */
  requestLogLimit?: number;
  /**
   * Keep the organisation in this file: when it exists (and was saved from the same starting
   * `data` and `orgId`), the emulator continues from it instead of from `data`; after every
   * change (an API call that changed something, a seed, a reset) it is rewritten atomically,
   * before the response is sent. Off when absent: nothing is read or written.
   */
  stateFile?: string;
}

/** Where a running emulator's organisation came from, when it keeps a state file. */
export interface EmulatorStateFileStatus {
  /** The state file. */
  file: string;
  /**
   * `restored`: continued from the file; `new`: no file yet, started from the data; `stale`: the
   * file was saved from other starting data (the org file was edited since), so the emulator
   * started from the data and will overwrite it.
   */
  origin: 'restored' | 'new' | 'stale';
  /** When the file was last written before this start (restored and stale). */
  savedAt?: string;
}

/** Typed read access to the emulated organisation (copies: changing them changes nothing). */
export interface EmulatorStateView {
  /** The organisation id every record carries. */
  readonly organizationId: string;
  /** Everything, as `GET /__sandbox/state` returns it. */
  snapshot(): OrgSnapshot;
  /** All users. */
  users(): SystemUser[];
  /** A user by id, username or email (case-insensitive for username and email). */
  user(idOrName: string): SystemUser | undefined;
  /** Ids of the user groups a user is a member of. */
  groupsOf(userId: string): string[];
  /** Member user ids of a user group. */
  members(groupId: string): string[];
  /** Direct association edges leaving a user or user group. */
  associations(fromId: string): AssociationEdge[];
  /** A user's push endpoints. */
  pushEndpoints(userId: string): PushEndpoint[];
  /** Every Directory Insights event recorded, oldest first. */
  events(): DirectoryEvent[];
  /** Ids of the system groups a system is a member of. */
  systemGroupsOf(systemId: string): string[];
  /** The built-in device commands accepted since the start or the last reset, oldest first. */
  commands(): IssuedCommand[];
}

/** A running emulator. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:43123` (the API is under `/api`, Directory Insights under `/insights`). */
  readonly url: string;
  /** The API key it accepts (send as `x-api-key`). */
  readonly apiKey: string;
  /** The emulated organisation's id (send as `x-org-id`; required only when started with `orgId`). */
  readonly orgId: string;
  /** Whether `x-org-id` is required (started with `orgId`). */
  readonly multiTenant: boolean;
  /** The state file and where the organisation came from; undefined without `stateFile`. */
  readonly stateFile: EmulatorStateFileStatus | undefined;
  /** Read access to the organisation. */
  readonly state: EmulatorStateView;
  /** Every API request so far (admin endpoints excluded), oldest first. */
  requests(): RequestLogEntry[];
  /** Back to `data` (or the data it started with): state, events and the request log are cleared. */
  reset(data?: SandboxData): void;
  /** Changes some fault settings; returns them all. */
  setFaults(partial: Partial<FaultSettings>): FaultSettings;
  /** The current fault settings. */
  faults(): FaultSettings;
  /**
   * Replaces the targeted fault rules: matching requests get the rule's error (e.g. a 403 on
   * one call) instead of being handled; an empty list clears them. Kept across {@link RunningEmulator.reset}.
   */
  setFaultRules(rules: readonly FaultRule[]): void;
  /** The targeted fault rules still active. */
  faultRules(): FaultRule[];
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Starts a JumpCloud-compatible HTTP server on loopback, with the organisation in memory.
 * See `actions/jumpcloud/emulator/README.md` for the endpoints and every behaviour chosen where
 * the documents are silent.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  if (options.orgId !== undefined && !isObjectId(options.orgId)) throw new RangeError(`orgId must be a 24-character lowercase hexadecimal ObjectId, got "${options.orgId}"`);
  const initialData = options.data === undefined ? undefined : validateSandboxData(options.data, 'emulator data');
  const seed = options.seed;
  const faults = new FaultInjector(
    { latencyMs: options.latencyMs ?? 0, failRate: options.failRate ?? 0, rateLimit: options.rateLimit ?? 0, dropRate: options.dropRate ?? 0 },
    createRandom(seed),
  );
  const idRandom = createRandom(seed === undefined ? undefined : `${String(seed)}:ids`);
  const ids = new ObjectIdFactory(idRandom);
  const events = new EventLog();
  const log = new RequestLog(options.requestLogLimit);
  const apiKey = options.apiKey ?? randomBytes(20).toString('hex');
  if (apiKey === '') throw new RangeError('apiKey must not be empty');
  let currentData = initialData;

  const makeState = (data: SandboxData | undefined, identityData: SandboxData | undefined = data): OrgState => {
    const identity = orgIdentity(identityData);
    const orgId = options.orgId ?? identity.id;
    const state = new OrgState({
      organizationId: orgId,
      organizationName: identity.name,
      admin: { id: deterministicObjectId('admin', identity.adminEmail), email: identity.adminEmail },
      ids,
      random: idRandom,
      events,
      strictRemove: options.strictRemove ?? false,
    });
    if (data !== undefined) buildOrg(state, data);
    return state;
  };
  const source = options.stateFile === undefined ? '' : stateSource(initialData, options.orgId);
  const saved: SavedState = options.stateFile === undefined ? { kind: 'absent' } : readStateFile(options.stateFile, source);
  let state = makeState(saved.kind === 'restored' ? undefined : initialData, initialData);
  if (saved.kind === 'restored') {
    restoreOrg(state, saved.saved.org);
    events.restore(saved.saved.events);
  }
  const stateFileStatus: EmulatorStateFileStatus | undefined = options.stateFile === undefined ? undefined : {
    file: options.stateFile,
    origin: saved.kind === 'absent' ? 'new' : saved.kind,
    ...(saved.kind === 'restored' ? { savedAt: saved.saved.savedAt } : saved.kind === 'stale' ? { savedAt: saved.savedAt } : {}),
  };
  // Changes are noticed through the event sequence (every change the API makes records an event);
  // seeding and resets record none, so they mark the state dirty themselves.
  let persistedSequence = events.sequence;
  let dirty = false;
  const persist = (): void => {
    if (options.stateFile === undefined || (!dirty && events.sequence === persistedSequence)) return;
    writeStateFile(options.stateFile, { source, org: persistOrg(state), events: events.export() });
    persistedSequence = events.sequence;
    dirty = false;
  };

  const router = new Router();
  addSystemUserRoutes(router);
  addResourceRoutes(router);
  addPolicyRoutes(router);
  addSystemGraphRoutes(router);
  addUserGroupRoutes(router);
  addUserGraphRoutes(router);
  addDirectoryInsightsRoutes(router, events, idRandom);
  const reset = (data?: SandboxData): void => {
    if (data !== undefined) currentData = validateSandboxData(data, 'reset data');
    events.clear();
    log.clear();
    faults.reset();
    state = makeState(currentData);
    dirty = true;
    persist();
  };
  addAdminRoutes(router, {
    seeded: () => {
      dirty = true;
    },
    snapshot: () => state.snapshot(),
    requests: () => log.all(),
    commands: () => structuredClone(state.commands),
    reset,
    faults: () => faults.settings,
    setFaults: (partial) => faults.update(partial),
  });

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Only reachable if writing the response itself failed; the socket is gone or broken.
      if (!res.headersSent) res.destroy(error as Error);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const at = new Date().toISOString();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const path = url.pathname;
    const admin = path === '/__sandbox' || path.startsWith('/__sandbox/');
    const decision = admin ? { kind: 'none' as const } : faults.decide({ method, path });
    const entry = (status: number, fault?: RequestLogEntry['fault']): void => {
      if (!admin) log.add({ method, path, query: url.search.replace(/^\?/, ''), status, ms: Math.round((performance.now() - started) * 100) / 100, at, ...(fault !== undefined ? { fault } : {}) });
    };

    const body = await readBody(req);
    const latency = faults.settings.latencyMs;
    if (!admin && latency > 0) await sleep(latency);

    if (decision.kind === 'drop') {
      req.socket.destroy();
      entry(0, 'drop');
      return;
    }
    let response: ApiResponse;
    let fault: RequestLogEntry['fault'];
    try {
      if (decision.kind === 'rate_limit') {
        fault = 'rate_limit';
        throw tooManyRequests(decision.retryAfterSeconds);
      }
      if (decision.kind === 'error') {
        fault = 'error';
        throw injectedServerError(decision.status);
      }
      if (decision.kind === 'rule') {
        fault = 'rule';
        throw new ApiError(decision.status, decision.message);
      }
      if (body.tooLarge) throw new ApiError(413, `Payload Too Large: the body is larger than ${MAX_BODY_BYTES} bytes`);
      checkAccess(req.headers, { apiKey, orgId: state.organizationId, requireOrgId: !admin && options.orgId !== undefined });
      const { handler, params } = router.match(method, path);
      const current = state;
      response = await handler({
        method, path, params, query: url.searchParams, headers: req.headers, rawBody: body.text, state: current,
        origin: { clientIp: clientIp(req) },
        json: () => parseJson(body.text),
      });
    } catch (error) {
      response = errorResponse(error);
    }
    // Written before the response leaves: a client that saw its change succeed can count on
    // the next emulator started from the state file having it, even if this process dies now.
    try {
      persist();
    } catch (error) {
      response = errorResponse(new ApiError(500, `Internal Server Error: the sandbox could not save its state to ${options.stateFile ?? ''}: ${(error as Error).message}`));
    }
    send(res, response);
    // Logged as soon as the response is handed to the socket, so a client that reads the log
    // right after its response always finds its request there.
    entry(response.status, fault);
  }

  const port = options.port ?? 0;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  const view: EmulatorStateView = {
    get organizationId() {
      return state.organizationId;
    },
    snapshot: () => state.snapshot(),
    users: () => structuredClone([...state.users.values()]),
    user: (idOrName) => {
      const lowered = idOrName.toLowerCase();
      const found = state.users.get(idOrName) ?? [...state.users.values()].find((u) => u.username.toLowerCase() === lowered || u.email.toLowerCase() === lowered);
      return found === undefined ? undefined : structuredClone(found);
    },
    groupsOf: (userId) => state.groupsOfUser(userId),
    members: (groupId) => [...(state.groupMembers.get(groupId) ?? [])],
    associations: (fromId) => structuredClone(state.allEdges().filter((e) => e.fromId === fromId)),
    pushEndpoints: (userId) => structuredClone(state.pushEndpoints.get(userId) ?? []),
    events: () => events.all(),
    systemGroupsOf: (systemId) => state.groupsOfSystem(systemId),
    commands: () => structuredClone(state.commands),
  };

  return {
    url: `http://${urlHost}:${address.port}`,
    apiKey,
    get orgId() {
      return state.organizationId;
    },
    multiTenant: options.orgId !== undefined,
    stateFile: stateFileStatus,
    state: view,
    requests: () => log.all(),
    reset,
    setFaults: (partial) => faults.update(partial),
    faults: () => faults.settings,
    setFaultRules: (rules) => faults.setRules(rules),
    faultRules: () => faults.rules(),
    close: () => new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    }),
  };
}

/** Reads the whole body (so keep-alive connections stay usable), noting when it is too large. */
async function readBody(req: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk as Buffer);
    }
  } catch {
    // The client went away mid-body; answer what we have (the response will not arrive anyway).
  }
  return { text: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), tooLarge };
}

/** JSON body or undefined when empty; malformed JSON is a 400 saying why. */
function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ApiError(400, `Bad Request: the request body is not valid JSON: ${(error as Error).message}`, {
      body: { message: `Bad Request: the request body is not valid JSON: ${(error as Error).message}`, code: 400, status: 'INVALID_ARGUMENT' },
    });
  }
}

function errorResponse(error: unknown): ApiResponse {
  if (error instanceof ApiError) return { status: error.status, body: error.body, headers: error.headers };
  // A bug in the emulator: answer like a server would, with enough detail to find it.
  const message = `Internal Server Error: ${error instanceof Error ? error.message : String(error)}`;
  return { status: 500, body: { message, code: 500, status: 'INTERNAL' } };
}

function send(res: ServerResponse, response: ApiResponse): void {
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  if (response.body === undefined) {
    headers['content-length'] = '0';
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  const payload = Buffer.from(JSON.stringify(response.body));
  headers['content-type'] = 'application/json; charset=utf-8';
  headers['content-length'] = String(payload.length);
  res.writeHead(response.status, headers);
  res.end(payload);
}

function clientIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
