import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * Builds the `idflow` package as npm would install it: the repository's own package.json (so
 * its real `exports` map is what resolves `import … from 'idflow'`) and `dist/engine/**`
 * compiled from the package entry and everything it imports, into a fresh temporary folder.
 * With `cli`, the package is the whole build instead: the repository's `dist/` (the command
 * `dist/engine/cli/main.js` is the package's `bin`) and the data files it reads (`schemas/`,
 * `templates/`).
 *
 * @remarks
 * The entry is compiled into a temporary folder, not taken from the repository's `dist/`, so
 * that it must type-check on its own. The CLI is not compiled again: the test run's global
 * setup has just built `dist/` from the current sources (even where a part someone is still
 * writing does not type-check yet), and compiling the whole CLI once more in a test's
 * `beforeAll` took longer than a hook may on a loaded two-core machine.
 *
 * @returns the package folder (its name is `idflow`).
 */
export function buildIdflowPackage(options: { cli?: boolean } = {}): string {
  const packageDir = join(mkdtempSync(join(tmpdir(), 'idflow-package-')), 'idflow');
  mkdirSync(packageDir);
  cpSync(join(REPO_ROOT, 'package.json'), join(packageDir, 'package.json'));
  // The package's own dependencies (jiti, ajv, …), as npm would have installed them.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(packageDir, 'node_modules'), 'dir');
  if (options.cli) {
    if (!existsSync(join(REPO_ROOT, 'dist', 'engine', 'cli', 'main.js'))) throw new Error('dist/ is not built: run the tests through vitest (its global setup builds it) or npm run build');
    for (const folder of ['dist', 'schemas', 'templates']) symlinkSync(join(REPO_ROOT, folder), join(packageDir, folder), 'dir');
    return packageDir;
  }
  const configFile = ts.readConfigFile(join(REPO_ROOT, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, REPO_ROOT);
  const compilerOptions: ts.CompilerOptions = { ...parsed.options, outDir: join(packageDir, 'dist'), rootDir: REPO_ROOT, noEmit: false, sourceMap: false, declaration: true, incremental: false };
  const program = ts.createProgram([join(REPO_ROOT, 'engine/index.ts')], compilerOptions);
  const result = program.emit();
  const errors = ts.getPreEmitDiagnostics(program).concat(result.diagnostics).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0 || result.emitSkipped) {
    throw new Error(`The package entry does not compile:\n${ts.formatDiagnostics(errors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => REPO_ROOT, getNewLine: () => '\n' })}`);
  }
  return packageDir;
}

/** Makes `import … from 'idflow'` resolve from `projectDir` to the built package, as `npm install idflow` would. */
export function installIdflow(projectDir: string, packageDir: string): void {
  mkdirSync(join(projectDir, 'node_modules'), { recursive: true });
  symlinkSync(packageDir, join(projectDir, 'node_modules', 'idflow'), 'dir');
}
