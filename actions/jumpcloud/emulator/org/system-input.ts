import { badRequest, conflict, type FieldViolation } from '../http/api-error.js';
import { isObjectId } from '../object-id.js';
import type { OrgState } from './org-state.js';
import type { JcSystem } from './records.js';
import { checkField, isPlainObject, type FieldKind } from './user-fields.js';
import { isDateTime } from './user-input.js';

/**
 * Turning what the JumpCloud agent reports about a device into a `JcSystem` record, for the
 * emulator's `POST /__sandbox/systems` (systems are created by the agent, never by the API).
 *
 * @remarks
 * Only the fields `JcSystem` lists are kept, each checked against the spec's type, so that
 * `GET /api/systems` keeps answering the documented shape; unknown fields are ignored, as the
 * API ignores them in bodies. Every problem is reported at once, one field violation each.
 */

const text = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;
const object = { type: 'object' } as const;
const objects = { type: 'array', items: 'object' } as const;

/** `JcSystem`'s fields an agent reports (everything but `_id`, `organization` and `created`, which the service sets). */
const AGENT_FIELDS: Record<string, FieldKind> = {
  active: flag,
  agentHasFullDiskAccess: flag,
  agentVersion: text,
  allowMultiFactorAuthentication: flag,
  allowPublicKeyAuthentication: flag,
  allowSshPasswordAuthentication: flag,
  allowSshRootLogin: flag,
  amazonInstanceID: text,
  arch: text,
  archFamily: text,
  attributes: objects,
  azureAdJoined: flag,
  builtInCommands: objects,
  connectionHistory: objects,
  description: text,
  desktopCapable: flag,
  displayManager: text,
  displayName: text,
  domainInfo: object,
  fde: object,
  fileSystem: { type: 'string', nullable: true },
  hasServiceAccount: flag,
  hostname: text,
  hwVendor: text,
  isPolicyBound: flag,
  lastContact: { type: 'string', nullable: true },
  mdm: object,
  modifySSHDConfig: flag,
  networkInterfaces: objects,
  os: text,
  osFamily: text,
  osVersionDetail: object,
  policyStats: object,
  primarySystemUser: object,
  provisionMetadata: object,
  remoteAssistAgentVersion: text,
  remoteIP: text,
  secureLogin: object,
  serialNumber: text,
  serviceAccountState: object,
  sshRootEnabled: flag,
  sshdParams: objects,
  systemInsights: object,
  systemTimezone: { type: 'integer' },
  templateName: text,
  userMetrics: objects,
  version: text,
};

/**
 * Builds the record of a system the agent registers: `hostname` is required (the agent always
 * knows it), `displayName` defaults to it, `os` to `Unknown`; `active` is true and `created` and
 * `lastContact` are now unless given. An `_id` may be given (an unused ObjectId), so that a test
 * can name the device before it appears. Throws a 400 listing every problem, 409 for a taken id.
 */
export function systemFromAgentBody(state: OrgState, body: unknown, now = new Date()): JcSystem {
  if (!isPlainObject(body)) throw badRequest('the body must be a JSON object describing the device, with at least "hostname"', [{ field: 'body', description: 'must be an object' }]);
  const violations: FieldViolation[] = [];
  const values: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body)) {
    const kind = AGENT_FIELDS[field];
    if (kind === undefined) continue;
    const problem = checkField(kind, value);
    if (problem !== undefined) violations.push({ field, description: problem });
    else values[field] = value;
  }
  const hostname = values['hostname'];
  if (typeof hostname !== 'string' || hostname.trim() === '') violations.push({ field: 'hostname', description: 'required, the device\'s host name' });
  if (values['displayName'] !== undefined && (values['displayName'] as string).trim() === '') violations.push({ field: 'displayName', description: 'must not be empty' });
  if (typeof values['lastContact'] === 'string' && !isDateTime(values['lastContact'])) violations.push({ field: 'lastContact', description: 'must be an RFC 3339 date-time' });
  const fde = values['fde'];
  if (isPlainObject(fde)) {
    for (const key of ['active', 'keyPresent']) {
      if (fde[key] !== undefined && typeof fde[key] !== 'boolean') violations.push({ field: `fde.${key}`, description: 'must be true or false' });
    }
  }
  const id = body['_id'];
  if (id !== undefined && !isObjectId(id)) violations.push({ field: '_id', description: 'must be a 24-character hexadecimal ObjectId' });
  if (violations.length > 0) throw badRequest(violations.map((v) => `${v.field} ${v.description}`).join('; '), violations);
  if (typeof id === 'string' && state.isIdTaken(id)) throw conflict(`id "${id}" is already in use`);

  const at = now.toISOString();
  const name = (hostname as string).trim();
  return {
    active: true,
    os: 'Unknown',
    lastContact: at,
    ...values,
    _id: typeof id === 'string' ? id : state.newId(),
    hostname: name,
    displayName: typeof values['displayName'] === 'string' ? (values['displayName'] as string).trim() : name,
    organization: state.organizationId,
    created: at,
  };
}
