import { chmodSync, closeSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { chmod, mkdir, open } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * How the store creates files and folders: readable by their owner only, whatever the umask.
 *
 * @remarks
 * Why: the store holds who left and why, what was revoked, backups of their records, emails
 * naming them and the locks of runs in flight; none of it is anyone else's business on a shared
 * host. An explicit mode on create is narrowed by the umask but never widened, so `0o600` and
 * `0o700` give exactly that under `000` and `022` alike. The one gap is `mkdir -p`: it applies
 * the mode to every level it creates, but a folder that already exists (made by an older
 * version, or by hand with a loose umask) keeps its mode, so the folders made here are checked
 * once and narrowed if they are wider.
 */

/** The mode of every file the store writes. */
export const PRIVATE_FILE_MODE = 0o600;
/** The mode of every folder the store makes. */
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Makes `dir` and any missing parents, each `0700`; an existing `dir` that others could read or
 * enter is narrowed to `0700` when this process owns it (a folder owned by someone else is
 * theirs to set, and left as it is).
 *
 * @returns the first folder it created, or undefined when `dir` existed.
 */
export function makePrivateDir(dir: string): string | undefined {
  const created = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (created === undefined) narrowExisting(dir);
  else forEachLevel(created, dir, (level) => chmodSync(level, PRIVATE_DIR_MODE));
  return created;
}

/** {@link makePrivateDir}, asynchronously (for actions, which must not block the event loop). */
export async function makePrivateDirAsync(dir: string): Promise<string | undefined> {
  const created = await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (created === undefined) {
    narrowExisting(dir);
  } else {
    const levels: string[] = [];
    forEachLevel(created, dir, (level) => levels.push(level));
    for (const level of levels) await chmod(level, PRIVATE_DIR_MODE);
  }
  return created;
}

/**
 * Makes one folder (its parent must exist), `0700`. The run folder of every run is made this
 * way: the explicit mode is all it needs (the umask can only narrow it), so it costs no more
 * than a plain `mkdir`.
 *
 * @throws the file system's error (`EEXIST`, `ENOENT` for a missing parent).
 */
export function makePrivateDirOnce(dir: string): void {
  mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
}

/**
 * Opens (and creates when `flags` allow) a file readable by its owner only.
 * @param flags - as `fs.openSync` takes them (`wx`, `a`, `ax`, `wx+`, `r+`).
 */
export function openPrivateFile(path: string, flags: string): number {
  return openSync(path, flags, PRIVATE_FILE_MODE);
}

/**
 * Creates `path` (which must not exist) holding `content`, `0600`.
 * @throws the file system's error, `EEXIST` when `path` exists.
 */
export function writeNewPrivateFile(path: string, content: string | Buffer): void {
  const fd = openPrivateFile(path, 'wx');
  try {
    const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let offset = 0;
    while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
  } finally {
    closeSync(fd);
  }
}

/**
 * {@link writeNewPrivateFile}, asynchronously, making the folder (`0700`) first when missing:
 * what an action that keeps a file in the store (an outbox email, a backup) should use. Plugins
 * get it through the plugin API.
 *
 * @throws the file system's error, `EEXIST` when `path` exists.
 */
export async function writeNewPrivateFileAsync(path: string, content: string | Uint8Array): Promise<void> {
  await makePrivateDirAsync(dirname(path));
  const handle = await open(path, 'wx', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}

/** Narrows an existing folder this process owns to 0700 when it is wider. */
function narrowExisting(dir: string): void {
  const stats = statSync(dir);
  if ((stats.mode & 0o077) === 0) return;
  if (typeof process.getuid === 'function' && stats.uid !== process.getuid()) return;
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Calls `visit` on `first` and every folder between it and `last` (inclusive), top down. */
function forEachLevel(first: string, last: string, visit: (dir: string) => void): void {
  const top = resolve(first);
  visit(top);
  const rest = relative(top, resolve(last));
  if (rest === '' || rest.startsWith('..')) return;
  let current = top;
  for (const part of rest.split(sep)) {
    current = `${current}${sep}${part}`;
    visit(current);
  }
}
