import { join } from 'node:path';
import type { ActionContext } from '../../engine/plugin-api/context.js';
import { makePrivateDir, writeNewPrivateFile } from '../../engine/plugin-api/private-files.js';

/**
 * Writes a message a sandbox run did not send (an email, a webhook post) to the store's outbox,
 * as `<time>-<run id>-<step id>.<extension>`, so that the admin can open what would have gone
 * out; never overwrites a file. The outbox and its files are the owner's only (0700 and 0600,
 * whatever the umask): an offboarding email says who left, why, and what was revoked.
 *
 * @returns the file written.
 */
export async function writeOutboxFile(ctx: Pick<ActionContext, 'paths' | 'runId' | 'stepId'>, extension: string, content: string | Buffer): Promise<string> {
  await makePrivateDir(ctx.paths.outbox);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const location = join(ctx.paths.outbox, `${stamp}-${safeToken(ctx.runId)}-${safeToken(ctx.stepId)}.${extension}`);
  await writeNewPrivateFile(location, content);
  return location;
}

/** A run or step id as a token safe in file names and Message-IDs (`step[3]` becomes `step-3`). */
export function safeToken(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}
