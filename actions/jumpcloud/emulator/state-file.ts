import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ValidationError } from '../../../engine/errors/index.js';
import { writeFileAtomic } from '../../../engine/store/atomic-write.js';
import { makePrivateDir } from '../../../engine/store/private-files.js';
import type { SandboxData } from './data/sandbox-data.js';
import type { PersistedEventLog } from './events/event-log.js';
import type { PersistedOrg } from './org/persisted-org.js';

/**
 * The emulator's state file (`stateFile` option): the organisation and its Directory Insights
 * events as a running emulator left them, so that the next emulator started with the same file
 * (the next `run --sandbox`, a resumed run, `idflow sandbox --state`) continues from there
 * instead of from the org file.
 *
 * @remarks
 * The file remembers which starting data it grew from ({@link stateSource}): when the org file
 * is edited afterwards, the saved state no longer describes it and is set aside (the emulator
 * starts from the edited file), rather than hiding the edit.
 */

/** The format marker of a state file. */
export const STATE_FORMAT = 'idflow-jumpcloud-emulator-state';

/** What a state file holds. */
export interface EmulatorStateFile {
  format: typeof STATE_FORMAT;
  version: 1;
  /** {@link stateSource} of the data the state started from. */
  source: string;
  /** When it was written (ISO-8601). */
  savedAt: string;
  org: PersistedOrg;
  events: PersistedEventLog;
}

/** What {@link readStateFile} found. */
export type SavedState =
  | { kind: 'absent' }
  | { kind: 'restored'; saved: EmulatorStateFile }
  /** Saved from other starting data (the org file was edited since): not used. */
  | { kind: 'stale'; savedAt: string };

/**
 * A fingerprint of what an emulator starts from: the org data (without its idflow-only
 * sections, `vars` and `protectedAccounts`, which do not shape the organisation) and the
 * multi-tenant org id, which every record carries.
 */
export function stateSource(data: SandboxData | undefined, orgId: string | undefined): string {
  const { vars: _vars, protectedAccounts: _protected, ...organisation } = data ?? {};
  return createHash('sha256').update(JSON.stringify({ organisation, orgId: orgId ?? null })).digest('hex');
}

/**
 * Reads a state file.
 * @throws ValidationError (`INVALID_INPUT`) when the file exists but cannot be read or is not a
 *   state file, saying how to start afresh.
 */
export function readStateFile(file: string, source: string): SavedState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    throw damaged(file, (error as Error).message);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw damaged(file, `it is not valid JSON (${(error as Error).message})`);
  }
  const problem = shapeProblem(value);
  if (problem !== undefined) throw damaged(file, problem);
  const saved = value as EmulatorStateFile;
  return saved.source === source ? { kind: 'restored', saved } : { kind: 'stale', savedAt: saved.savedAt };
}

/** Writes a state file atomically (a temporary file renamed over it), creating its folder. */
export function writeStateFile(file: string, content: Omit<EmulatorStateFile, 'format' | 'version' | 'savedAt'>): void {
  makePrivateDir(dirname(file));
  const full: EmulatorStateFile = { format: STATE_FORMAT, version: 1, source: content.source, savedAt: new Date().toISOString(), org: content.org, events: content.events };
  writeFileAtomic(file, JSON.stringify(full));
}

function damaged(file: string, reason: string): ValidationError {
  return new ValidationError('INVALID_INPUT', `The sandbox state file ${file} cannot be used: ${reason}. Delete it (or run with --sandbox-reset) to start again from the org file`);
}

/** Why a parsed value is not a state file this version can continue from, or undefined. */
function shapeProblem(value: unknown): string | undefined {
  if (!isRecord(value) || value['format'] !== STATE_FORMAT) return `it is not an emulator state file (no "format": "${STATE_FORMAT}")`;
  if (value['version'] !== 1) return `it has version ${JSON.stringify(value['version'])}, and this idflow reads version 1`;
  if (typeof value['source'] !== 'string' || typeof value['savedAt'] !== 'string') return 'it lacks "source" or "savedAt"';
  const org = value['org'];
  if (!isRecord(org)) return 'it has no "org"';
  for (const list of ['users', 'usergroups', 'systems', 'systemgroups', 'applications', 'ldapservers', 'radiusservers', 'associations', 'usedIds'] as const) {
    if (!Array.isArray(org[list])) return `"org.${list}" is not a list`;
  }
  if (!isRecord(org['pushEndpoints']) || !isRecord(org['organization']) || typeof org['unixIdCursor'] !== 'number') return '"org" is incomplete';
  const events = value['events'];
  if (!isRecord(events) || !Array.isArray(events['events']) || typeof events['sequence'] !== 'number' || typeof events['lastMs'] !== 'number') return '"events" is incomplete';
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
