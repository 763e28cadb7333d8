import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

/** The repository root and the built CLI (built once by test/global-setup.ts). */
export const repoRoot = resolve('.');
export const cliPath = join(repoRoot, 'dist', 'engine', 'cli', 'main.js');

/** What a CLI invocation printed and how it ended. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI with plain `node`, as users do, and waits for it. The environment is the
 * test's, without colours, plus `env`.
 */
export function idflow(args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined>; input?: string } = { cwd: repoRoot }): Promise<CliResult> {
  return new Promise((resolveResult) => {
    const child = execFile(process.execPath, [cliPath, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ...options.env },
      maxBuffer: 64 * 1024 * 1024,
    }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : (child.exitCode ?? -1);
      resolveResult({ code, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Starts the built CLI without waiting (to signal or kill it). */
export function spawnIdflow(args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined> }): ChildProcess & { output(): { stdout: string; stderr: string }; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  return Object.assign(child, { output: () => ({ stdout, stderr }), exited });
}

/** Waits until `predicate` holds, polling; fails after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
