import { hostname } from 'node:os';

/**
 * Whether a process with this id exists on this host. `EPERM` means it exists but belongs to
 * another user, so it counts as alive.
 *
 * @remarks
 * Process ids are reused: a long-dead run's pid may belong to an unrelated process later, which
 * then makes the run look alive. That errs on the safe side (a run shown as `running`, a lock
 * kept) and is resolved when that process ends.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This process's answer to {@link thisHost}, asked once. */
let host: string | undefined;

/**
 * This machine's name, as recorded in run records and lock files. Asked of the system once per
 * process (it is a system call, and every run asked two or three times): a process keeps one
 * name for its runs and locks, so that it recognises its own even if the machine is renamed
 * while it runs.
 */
export function thisHost(): string {
  return (host ??= hostname());
}
