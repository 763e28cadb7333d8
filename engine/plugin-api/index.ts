export type { ActionDefinition, ActionResult, ActionPlan, Change, PlanParams, Planned, VerifyResult } from './action.js';
export { knownAfterRun, isKnownAfterRun, findKnownAfterRun, type KnownAfterRun, type UnknownPart } from './known-after-run.js';
export type {
  ActionContext, ActionLogger, ActionPaths, ChangeLog, ChildWorkflowRequest, ChildWorkflowResult, ConnectionResolver,
  ConnectionSettings, PendingTimer, ScheduledTimer, SecretResolver, TimerRequest,
} from './context.js';
export type { JsonSchema, JsonSchemaTypeName, FromSchema } from './json-schema.js';
export type { PluginPack, SandboxOptions, SandboxInstance, SandboxProvider, SandboxAmendment, EventSourceProvider, EventSourceContext, SourcedEvent } from './pack.js';
export { defineAction } from './define-action.js';
export { createMockActionContext, type MockActionContext, type MockActionContextOptions, type MockLogEntry } from './mock-context.js';
export { isLoopbackHost } from './loopback-host.js';
export { makePrivateDir, writeNewPrivateFile } from './private-files.js';
