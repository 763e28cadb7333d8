import { open, rm } from 'node:fs/promises';
import { UsageError } from '../errors/usage-errors.js';

/**
 * Creates every file with `wx` (fails if it exists); on any failure removes what this call
 * created, so that `idflow new` writes all of its files or none.
 * @throws UsageError when a file already exists.
 */
export async function writeNewFiles(files: ReadonlyArray<readonly [string, string]>): Promise<void> {
  const created: string[] = [];
  try {
    for (const [path, text] of files) {
      const handle = await open(path, 'wx').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EEXIST') throw new UsageError(`${path} already exists; idflow new never overwrites files (choose another name or --dir)`);
        throw error;
      });
      created.push(path);
      try {
        await handle.writeFile(text);
      } finally {
        await handle.close();
      }
    }
  } catch (error) {
    await Promise.all(created.map((path) => rm(path, { force: true })));
    throw error;
  }
}
