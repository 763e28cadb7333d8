import { join } from 'node:path';
import { NotFoundError } from '../../../engine/errors/action-errors.js';
import type { ActionContext } from '../../../engine/plugin-api/context.js';
import { defineAction } from '../../../engine/plugin-api/define-action.js';
import { BACKUP_SECTIONS, buildUserExport } from './backup-export.js';
import { digest, readIfExists, resolveBackupPath, writeNewFile, type BackupPath } from './backup-file.js';
import { madeChange } from './change-tally.js';
import { openJumpCloud, type JumpCloudSession } from './client-for-context.js';
import { connectionOf, connectionProperties, userIdProperty } from './common-params.js';
import { userName } from './user-summary.js';
import { onRunSnapshot } from './run-snapshots.js';
import { UserSnapshot } from './user-snapshot.js';

const params = {
  type: 'object',
  description: 'Exports the user (record, attributes, groups, access with names and paths, SSH key metadata, MFA) to a JSON file before anything is removed.',
  properties: {
    user_id: userIdProperty,
    path: {
      type: 'string',
      minLength: 1,
      // What resolveBackupPath refuses, in the schema too, so a path known before the run starts
      // (from inputs or variables) is refused before the first step: not absolute, no ".."
      // segment, no control character, not blank.
      pattern: '^(?!\\s*[\\\\/])(?!\\s*[A-Za-z]:)(?!(?:\\s*|.*[\\\\/])\\.\\.(?:[\\\\/]|\\s*$))[^\\u0000-\\u001f]*[^\\s\\u0000-\\u001f][^\\u0000-\\u001f]*$',
      description: 'Where to write, relative to the backup root, e.g. offboarding/2026/john.smith/jumpcloud-export.json (no "..", not absolute).',
    },
    root: { type: 'string', minLength: 1, description: "The backup root; default the connection's backup_root, else <store>/backups. Relative to the working directory." },
    ...connectionProperties,
  },
  required: ['user_id', 'path'],
  additionalProperties: false,
} as const;

/** What `jumpcloud.user.backup` returns. */
export interface BackupOutput {
  backed_up: boolean;
  /** The path relative to the backup root, as given (with `/`). */
  backup_location: string;
  absolute_path: string;
  /** The sections of the export, e.g. `user_details`, `group_memberships`. */
  includes: string[];
  /** Size of the file. Absent only in a plan's prediction of a file not yet written. */
  bytes?: number;
  /** SHA-256 (hex) of the file. Absent only in a plan's prediction of a file not yet written. */
  sha256?: string;
}

const outputSchema = {
  type: 'object',
  properties: {
    backed_up: { type: 'boolean' },
    backup_location: { type: 'string' },
    absolute_path: { type: 'string' },
    includes: { type: 'array', items: { type: 'string' } },
    bytes: { type: 'integer', minimum: 0 },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
  required: ['backed_up', 'backup_location', 'absolute_path', 'includes', 'bytes', 'sha256'],
  additionalProperties: false,
} as const;

const WRITE = 'write';

function locate(ctx: ActionContext, session: JumpCloudSession, p: { path: string; root?: string }): BackupPath {
  const root = p.root ?? session.backupRoot ?? join(ctx.paths.store, 'backups');
  return resolveBackupPath(p.path, root, ctx.paths.cwd);
}

function target(where: BackupPath): string {
  return `backup file "${where.relative}" in ${where.root}`;
}

/** The output for a file already there: its own size, hash and sections. */
function existingOutput(ctx: Pick<ActionContext, 'logger'>, where: BackupPath, content: Buffer): BackupOutput {
  let includes: string[] = [];
  try {
    const parsed: unknown = JSON.parse(content.toString('utf8'));
    const listed = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['includes'] : undefined;
    if (Array.isArray(listed) && listed.every((item) => typeof item === 'string')) includes = listed as string[];
    else ctx.logger.warn(`The existing backup ${where.absolute} does not list what it includes; it is kept as it is`);
  } catch {
    ctx.logger.warn(`The existing backup ${where.absolute} is not JSON; it is kept as it is`);
  }
  return { backed_up: true, backup_location: where.relative, absolute_path: where.absolute, includes, ...digest(content) };
}

/** `jumpcloud.user.backup`: writes the user's export once; an existing backup is never overwritten. */
export const userBackupAction = defineAction({
  id: 'jumpcloud.user.backup',
  description: 'Back up a JumpCloud user to a JSON file (never overwrites an existing backup)',
  params,
  output: outputSchema,
  examples: [
    {
      description: 'The reference workflow\'s location',
      with: { user_id: '{{steps.lookup.output.user.id}}', path: 'offboarding/{{date run.started_at "YYYY"}}/{{steps.lookup.output.user.username}}/jumpcloud-export.json' },
    },
  ],
  async run(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: false });
    const where = locate(ctx, session, p);
    const existing = await readIfExists(where.absolute);
    if (existing !== undefined) {
      const wrote = madeChange(ctx, WRITE) !== undefined;
      if (!wrote) ctx.logger.info(`A backup already exists at ${where.absolute}; it holds the earlier state and is kept`);
      return { changed: wrote, output: existingOutput(ctx, where, existing), summary: wrote ? `backed up to ${where.relative}` : `kept the existing backup ${where.relative}` };
    }
    // Everything is read before removal starts: the export is the pre-offboarding state.
    const document = await onRunSnapshot(ctx, session.client, p.user_id, (snapshot) => buildUserExport(ctx, session.client, snapshot));
    if (document === undefined) throw new NotFoundError(`JumpCloud user ${p.user_id} does not exist, so there is nothing to back up`, { details: { user_id: p.user_id } });
    const content = `${JSON.stringify(document, null, 2)}\n`;
    const outcome = await writeNewFile(where.absolute, content);
    if (outcome === 'exists') {
      // Another run wrote it between the check and the write: theirs stays.
      const current = (await readIfExists(where.absolute)) ?? Buffer.from(content);
      return { changed: false, output: existingOutput(ctx, where, current), summary: `kept the existing backup ${where.relative}` };
    }
    const file = digest(content);
    const output: BackupOutput = { backed_up: true, backup_location: where.relative, absolute_path: where.absolute, includes: [...BACKUP_SECTIONS], ...file };
    const details = document['user_details'] as { username?: string; _id?: string } | undefined;
    ctx.changes.record({
      target: target(where),
      operation: WRITE,
      after: { absolute_path: where.absolute, bytes: file.bytes, sha256: file.sha256, includes: output.includes, user_id: p.user_id },
      result: 'changed',
    });
    ctx.logger.info(`Backed up JumpCloud user "${details?.username ?? p.user_id}" to ${where.absolute} (${file.bytes} bytes, sha256 ${file.sha256})`);
    return { changed: true, output, summary: `backed up to ${where.relative}` };
  },
  async plan(ctx, p) {
    const session = openJumpCloud(ctx, connectionOf(p), { readOnly: true });
    const where = locate(ctx, session, p);
    const existing = await readIfExists(where.absolute);
    if (existing !== undefined) {
      return {
        changes: [{ target: target(where), operation: WRITE, result: 'unchanged' as const, note: 'a backup is already there; it is never overwritten' }],
        output: existingOutput(ctx, where, existing),
        summary: `would keep the existing backup ${where.relative}`,
      };
    }
    const user = await new UserSnapshot(p.user_id).user(session.client);
    if (user === undefined) throw new NotFoundError(`JumpCloud user ${p.user_id} does not exist, so there is nothing to back up`, { details: { user_id: p.user_id } });
    const output: BackupOutput = { backed_up: true, backup_location: where.relative, absolute_path: where.absolute, includes: [...BACKUP_SECTIONS] };
    return {
      changes: [{ target: target(where), operation: WRITE, after: { user: userName(user), includes: output.includes }, note: `export of user "${userName(user)}" (${user._id}), mode 0600` }],
      output,
      summary: `would back up ${userName(user)} to ${where.relative}`,
    };
  },
});
