/**
 * The JumpCloud emulator: a JumpCloud-compatible HTTP server on loopback with the organisation in
 * memory, for `idflow sandbox`, `run --sandbox` and the JumpCloud pack's tests.
 */
export { startEmulator, type EmulatorOptions, type RunningEmulator, type EmulatorStateView, type EmulatorStateFileStatus } from './server.js';
export { readStateFile, stateSource, STATE_FORMAT, type EmulatorStateFile, type SavedState } from './state-file.js';
export { loadSandboxData, parseSandboxData, validateSandboxData } from './data/load-sandbox-data.js';
export { jumpcloudSandbox } from './sandbox-provider.js';
export type {
  SandboxData, SandboxUser, SandboxUserGroup, SandboxSystem, SandboxSystemGroup, SandboxApplication, SandboxLdapServer,
  SandboxRadiusServer, SystemBinding,
} from './data/sandbox-data.js';
export type { FaultRule, FaultSettings } from './faults.js';
export type { RequestLogEntry } from './request-log.js';
export type { DirectoryEvent, EventChange, EventGraphEnd, EventInitiator, EventResource } from './events/directory-event.js';
export { DIRECTORY_EVENT_TYPES } from './events/directory-event.js';
export type { OrgSnapshot } from './org/org-state.js';
export type {
  SystemUser, SshKey, PushEndpoint, UserGroup, SystemGroup, JcSystem, Application, LdapServer, RadiusServer, AssociationEdge,
  UserState, MembershipMethod, MfaEnrollmentStatus, BuiltinCommand, IssuedCommand,
} from './org/records.js';
export { isObjectId, deterministicObjectId } from './object-id.js';
