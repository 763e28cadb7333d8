/**
 * Builds the project once per test run (`tsc -p tsconfig.json` into `dist/`, then the
 * precompiled validators and the built-in manifest as `npm run build` does), so that
 * end-to-end tests run the current code the way users do: `node dist/engine/cli/main.js`,
 * with plain Node's module resolution (vitest's own interop hides CommonJS/ESM mistakes).
 *
 * The build is skipped when `dist/` is newer than every source file and schema (after
 * `npm run build`, or an earlier run of this setup), so running a single test folder stays fast. Type errors do not stop the build (tsc still emits); they
 * are printed, and the tests that exercise broken code fail on their own.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');
const cli = join(root, 'dist', 'engine', 'cli', 'main.js');
const validators = join(root, 'dist', 'engine', 'schema', 'compiled');
const manifest = join(root, 'dist', 'actions', 'builtin-manifest.json');

/**
 * The build's second step, as `npm run build` runs it: the precompiled validators of the
 * shipped schemas and the manifest of the built-in packs (engine/schema/build-validators.ts).
 * Like type errors, a failure is printed and the tests go on (commands compile what has no
 * validator at run time, and import the built-in packs when there is no manifest).
 */
async function buildValidators(): Promise<void> {
  try {
    await promisify(execFile)(process.execPath, [join(root, 'dist', 'engine', 'schema', 'build-validators.js')], { cwd: root });
  } catch (error) {
    const output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    process.stderr.write(`global setup: build-validators failed:\n${output.slice(0, 4000)}\n`);
  }
}

/** The newest modification time of the build's inputs. */
function newestSource(): number {
  let newest = statSync(join(root, 'tsconfig.json')).mtimeMs;
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ['engine', 'actions', 'schemas']) walk(join(root, dir));
  return newest;
}

export default async function setup(): Promise<void> {
  // Built by this setup (the stamp) or by `npm run build` (as CI does, just before `npm test`).
  const builtAt = existsSync(cli) ? Math.max(statSync(cli).mtimeMs, existsSync(stamp) ? statSync(stamp).mtimeMs : 0) : 0;
  const upToDate = builtAt >= newestSource();
  if (!upToDate) {
    const startedAt = Date.now();
    try {
      await promisify(execFile)(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
      process.stderr.write(`global setup: tsc reported errors (the build was still written):\n${output.slice(0, 4000)}\n`);
    }
    if (!existsSync(cli)) throw new Error(`global setup: the build did not produce ${cli}`);
    await buildValidators();
    // Dated when the build started: a source saved during the build makes the next run rebuild.
    writeFileSync(stamp, new Date(startedAt).toISOString());
    utimesSync(stamp, new Date(startedAt), new Date(startedAt));
  } else if (!existsSync(validators) || !existsSync(manifest)) {
    await buildValidators();
  }
  // The file npm links as the `idflow` bin must be executable.
  chmodSync(cli, 0o755);
}
