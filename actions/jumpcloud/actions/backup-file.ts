import { createHash, randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { PermanentError } from '../../../engine/errors/action-errors.js';
import { makePrivateDir } from '../../../engine/plugin-api/private-files.js';

/** Where a backup goes: the root, the path under it as given, and the absolute file. */
export interface BackupPath {
  root: string;
  /** The relative path, with `/` separators (what the step reports as `backup_location`). */
  relative: string;
  absolute: string;
}

/**
 * Checks the backup path and places it under the root.
 * @param root - the backup root; a relative one is taken from `cwd`.
 * @throws PermanentError (`INVALID_PARAMS`) for an absolute path, a `..` segment, an empty path or a control character.
 */
export function resolveBackupPath(path: string, root: string, cwd: string): BackupPath {
  const given = path.trim();
  const problem =
    given === '' ? 'it is empty'
    : /[\u0000-\u001f]/.test(given) ? 'it contains a control character'
    : isAbsolute(given) || /^[A-Za-z]:/.test(given) || given.startsWith('/') || given.startsWith('\\') ? 'it is absolute; give a path relative to the backup root'
    : given.split(/[\\/]+/).includes('..') ? 'it contains ".."; a backup must stay inside the backup root'
    : undefined;
  if (problem !== undefined) {
    throw new PermanentError(`jumpcloud.user.backup: path "${path}" is not usable: ${problem} (e.g. offboarding/2026/john.smith/jumpcloud-export.json)`, {
      code: 'INVALID_PARAMS',
      details: { path },
    });
  }
  const relative = given.split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.').join('/');
  if (relative === '') throw new PermanentError(`jumpcloud.user.backup: path "${path}" names no file`, { code: 'INVALID_PARAMS', details: { path } });
  const absoluteRoot = resolve(cwd, root);
  const absolute = resolve(absoluteRoot, ...relative.split('/'));
  if (!absolute.startsWith(absoluteRoot + sep)) {
    throw new PermanentError(`jumpcloud.user.backup: path "${path}" leaves the backup root ${absoluteRoot}`, { code: 'INVALID_PARAMS', details: { path } });
  }
  return { root: absoluteRoot, relative, absolute };
}

/** Size and SHA-256 of a file's bytes. */
export interface FileDigest {
  bytes: number;
  sha256: string;
}

/** The digest of some bytes. */
export function digest(content: Buffer | string): FileDigest {
  const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return { bytes: buffer.length, sha256: createHash('sha256').update(buffer).digest('hex') };
}

/** The file's contents, or undefined when there is no file. */
export async function readIfExists(absolute: string): Promise<Buffer | undefined> {
  try {
    return await readFile(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Writes a new file atomically (a synced temporary file beside it, then a hard link to the final
 * name), readable by the owner only (0600), and never replaces an existing file: the link fails
 * when the name exists, even if another process created it a moment ago.
 * @returns `written`, or `exists` when a file of that name was already there (left untouched).
 */
export async function writeNewFile(absolute: string, content: string): Promise<'written' | 'exists'> {
  const directory = dirname(absolute);
  await makePrivateDir(directory);
  const temp = join(directory, `.${basename(absolute)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    try {
      await handle.writeFile(content, 'utf8');
      await handle.chmod(0o600);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, absolute);
      return 'written';
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return 'exists';
      // File systems without hard links: rename, after checking that nothing is there.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
      if ((await stat(absolute).catch(() => undefined)) !== undefined) return 'exists';
      await rename(temp, absolute);
      return 'written';
    }
  } finally {
    await rm(temp, { force: true });
  }
}
