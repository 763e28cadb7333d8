import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, type CliResult } from '../../support/cli.js';

/** What `npm pack --json` reports of the tarball. */
export interface PackedTarball {
  /** The tarball (absolute). */
  file: string;
  /** The paths it holds, relative to the package root. */
  files: string[];
}

/** npm settings a user or CI may pass in the environment, which the nested npm should keep. */
const KEPT_NPM_SETTINGS = new Set(['cache', 'registry', 'userconfig', 'globalconfig', 'cafile', 'proxy', 'https_proxy', 'noproxy', 'strict_ssl'].map((name) => `npm_config_${name}`));

/**
 * The test's environment as a user's shell would have it: without the `npm_*` variables npm
 * sets for the script running the tests (`npm test`). Those would point a nested npm and npx at
 * this repository (`npm_config_local_prefix`), so that `npm install` wrote into it and
 * `npx idflow` ran its build instead of the installed package.
 */
function userEnvironment(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_') || KEPT_NPM_SETTINGS.has(name.toLowerCase())));
}

/**
 * Runs a command and waits for it, never throwing: the exit code and both outputs are the result.
 * Colours are off; `env` is added to the {@link userEnvironment} (undefined removes a variable).
 */
export function run(command: string, args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined>; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolveResult) => {
    const child = execFile(command, args, {
      cwd: options.cwd,
      env: { ...userEnvironment(), NO_COLOR: '1', FORCE_COLOR: '', ...options.env },
      maxBuffer: 64 * 1024 * 1024,
      timeout: options.timeoutMs ?? 120_000,
    }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : (child.exitCode ?? -1);
      resolveResult({ code, stdout, stderr });
    });
  });
}

/**
 * Packs the repository with `npm pack` into `destination`, as a release would, but from the
 * `dist/` the test run's global setup has just built: `--ignore-scripts` skips `prepack` (which
 * empties `dist/`) and `prepare` (which rebuilds it), because other end-to-end tests run the
 * repository's `dist/` at the same time.
 */
export async function packTarball(destination: string): Promise<PackedTarball> {
  const result = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], { cwd: repoRoot });
  if (result.code !== 0) throw new Error(`npm pack failed (exit ${result.code}):\n${result.stderr}`);
  const [report] = JSON.parse(result.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (report === undefined) throw new Error(`npm pack reported no tarball:\n${result.stdout}`);
  return { file: join(destination, report.filename), files: report.files.map((file) => file.path) };
}

/**
 * Installs the tarball into `project` (an empty folder: a package.json is written) with npm,
 * from npm's cache: `npm ci` (which CI runs first) has put every dependency there. Only when one
 * is missing from the cache is the registry asked, once, with a bounded wait; when that fails
 * too, the error says so instead of leaving the test hanging on the network.
 */
export async function installTarball(tarball: string, project: string): Promise<void> {
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'idflow-install-check', version: '1.0.0', private: true }, null, 2)}\n`);
  const common = ['install', tarball, '--no-audit', '--no-fund', '--no-update-notifier'];
  const offline = await run('npm', [...common, '--offline'], { cwd: project, timeoutMs: 300_000 });
  if (offline.code === 0) return installedIn(project);
  if (!offline.stderr.includes('ENOTCACHED')) throw new Error(`npm install ${tarball} failed (exit ${offline.code}):\n${offline.stderr}`);
  const online = await run('npm', [...common, '--prefer-offline', '--fetch-retries=1', '--fetch-timeout=60000'], { cwd: project, timeoutMs: 300_000 });
  if (online.code !== 0) {
    throw new Error(
      `idflow's dependencies are not all in npm's cache (${offline.stderr.split('\n').find((line) => line.includes('ENOTCACHED') || line.includes('request to')) ?? 'ENOTCACHED'}), ` +
        `and installing them from the registry failed too (exit ${online.code}); run npm ci first, which fills the cache:\n${online.stderr}`,
    );
  }
  installedIn(project);
}

/** Fails unless npm put idflow into the project (and not into some other prefix). */
function installedIn(project: string): void {
  for (const path of [join(project, 'node_modules', 'idflow', 'package.json'), join(project, 'node_modules', '.bin', 'idflow')]) {
    if (!existsSync(path)) throw new Error(`npm install reported success, but ${path} does not exist`);
  }
}
