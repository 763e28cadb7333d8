import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A child process speaking JSON lines on stdout. */
export interface JsonChild {
  process: ChildProcessWithoutNullStreams;
  /** The next JSON line it prints. */
  next(): Promise<Record<string, unknown>>;
  send(line: string): void;
  /** Resolves with the exit code (or signal) once it has exited. */
  exited: Promise<number | string | null>;
}

/** Starts a helper script from `children/` with plain node (the script loads TypeScript with jiti). */
export function startChild(script: string, args: string[] = []): JsonChild {
  const child = spawn(process.execPath, [fileURLToPath(new URL(`./children/${script}`, import.meta.url)), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return {
    process: child,
    next: () =>
      new Promise((resolve, reject) => {
        const take = (line: string): void => {
          try {
            resolve(JSON.parse(line) as Record<string, unknown>);
          } catch {
            reject(new Error(`child printed a non-JSON line: ${line}\nstderr: ${stderr}`));
          }
        };
        const queued = lines.shift();
        if (queued !== undefined) take(queued);
        else {
          waiting.push(take);
          void exited.then(() => reject(new Error(`child exited before answering; stderr: ${stderr}`)));
        }
      }),
    send: (line) => child.stdin.write(`${line}\n`),
    exited,
  };
}

/** The pid of a process that has exited (and been reaped): started, killed, waited for. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start a child process');
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return pid;
}
