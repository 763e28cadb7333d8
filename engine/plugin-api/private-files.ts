import { makePrivateDirAsync, writeNewPrivateFileAsync } from '../store/private-files.js';

/**
 * Makes a folder and any missing parents readable by their owner only (0700), whatever the
 * umask; an existing folder this process owns that others could read is narrowed to 0700.
 * For an action that keeps files beside the run store (an outbox, backups): what it writes
 * names people and what was done to their accounts.
 *
 * @returns the first folder it created, or undefined when the folder existed.
 */
export const makePrivateDir: (dir: string) => Promise<string | undefined> = makePrivateDirAsync;

/**
 * Creates a new file readable by its owner only (0600, whatever the umask), making its folder
 * first as {@link makePrivateDir} does. Never overwrites: fails with `EEXIST` when the file exists.
 */
export const writeNewPrivateFile: (path: string, content: string | Uint8Array) => Promise<void> = writeNewPrivateFileAsync;
