import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchRoot } from '../paths.js';

/** How a process the benchmarks ran went. */
export interface ProcessTiming {
  /** From spawn to exit, in milliseconds. */
  wallMs: number;
  /** The process's own user + system CPU time. */
  cpuMs: number;
  /** Its peak resident memory, in kilobytes. */
  maxRssKb: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node ARGS` to its end, asynchronously (a benchmark's emulator lives in this process
 * and must keep answering): its wall time, and its own CPU time and peak memory as the
 * preloaded support/report-usage.mjs reports them. Fails if it does not exit 0.
 */
export function timeProcess(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<ProcessTiming> {
  const dir = mkdtempSync(join(tmpdir(), 'idflow-bench-usage-'));
  const usageFile = join(dir, 'usage.json');
  const preload = pathToFileURL(join(benchRoot(), 'test', 'bench', 'support', 'report-usage.mjs')).href;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', preload, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env, IDFLOW_BENCH_USAGE_FILE: usageFile } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      try {
        if (code !== 0) throw new Error(`node ${args.join(' ')} exited ${String(code)}: ${stderr.slice(-1500)}`);
        const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { cpuMs: number; maxRssKb: number };
        resolve({ wallMs, ...usage, stdout, stderr });
      } catch (error) {
        reject(error as Error);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
