import { closeSync, fstatSync, linkSync, openSync, statSync, writeSync, type Stats } from 'node:fs';

/** A file this process wrote, as it was right after the write. */
interface Written {
  path: string;
  text: string;
  mode: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/**
 * Writes files that are never changed once written (a run's pinned template and recorded inputs), hard-linking a new
 * one to an identical file written before by this process instead of writing the text again.
 *
 * @remarks
 * Why: creating a file (allocating its inode) is by far the dearest thing a run's start does on
 * some file systems (60–300 µs on the benchmark machine's ext4, against ~10 µs for a link),
 * every run of the same template pins the same text, and runs started again with the same
 * inputs (a schedule, a retried offboarding) record the same inputs. A link gives the new path exactly the
 * text and mode a write would have, and readers see a complete file either way.
 *
 * A link is made only when the earlier file still looks as it was written (same inode, size and
 * modification time), so a pinned file edited or replaced since is never propagated; when the
 * link fails for any reason (the file was removed, the file system has no hard links, another
 * device), the text is written as before. Only the most recent {@link WriteOnceFiles.limit}
 * distinct texts are remembered.
 */
export class WriteOnceFiles {
  /** Keyed by the file's text: equal texts make equal files, whatever hash a caller claims. */
  private readonly recent = new Map<string, Written>();

  /** @param limit - how many distinct texts to remember (each entry holds its text). */
  constructor(readonly limit = 16) {}

  /**
   * Creates `path` (which must not exist) holding `text`, with permissions `mode` (as
   * `writeFileSync` applies them, under the umask).
   *
   * @throws the file system's error when `path` exists or cannot be created.
   */
  write(path: string, text: string, mode: number): void {
    const earlier = this.recent.get(text);
    if (earlier !== undefined && earlier.mode === mode && this.tryLink(earlier, path)) return;
    const fd = openSync(path, 'wx', mode);
    let stats: Stats;
    try {
      writeFully(fd, Buffer.from(text, 'utf8'));
      stats = fstatSync(fd);
    } finally {
      closeSync(fd);
    }
    this.remember({ path, text, mode, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs });
  }

  private tryLink(earlier: Written, path: string): boolean {
    try {
      const stats = statSync(earlier.path);
      if (stats.ino !== earlier.ino || stats.size !== earlier.size || stats.mtimeMs !== earlier.mtimeMs) {
        this.recent.delete(earlier.text);
        return false;
      }
      linkSync(earlier.path, path);
      return true;
    } catch (error) {
      // An existing `path`: the write fails the same way, as it would have without the link.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      // Gone, no hard links here, another device: write the text instead.
      this.recent.delete(earlier.text);
      return false;
    }
  }

  private remember(written: Written): void {
    this.recent.delete(written.text);
    this.recent.set(written.text, written);
    if (this.recent.size > this.limit) {
      const oldest = this.recent.keys().next();
      if (oldest.done !== true) this.recent.delete(oldest.value);
    }
  }
}

function writeFully(fd: number, buffer: Buffer): void {
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}
