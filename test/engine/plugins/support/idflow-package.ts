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
 * With `cli`, also the command (`dist/engine/cli/main.js`, the package's `bin`) and the data
 * files it reads (`schemas/`, `templates/`).
 *
 * @remarks
 * Building into a temporary folder, not the repository's `dist/`, keeps the tests independent
 * of whether (and by whom) the repository was built, and safe to run in parallel. The package
 * entry must type-check; the CLI is emitted even when a part of it someone is still writing
 * does not type-check yet (TypeScript still emits it), so that these tests judge the plugin
 * commands only.
 *
 * @returns the package folder (its name is `idflow`).
 */
export function buildIdflowPackage(options: { cli?: boolean } = {}): string {
  const packageDir = join(mkdtempSync(join(tmpdir(), 'idflow-package-')), 'idflow');
  mkdirSync(packageDir);
  cpSync(join(REPO_ROOT, 'package.json'), join(packageDir, 'package.json'));
  if (options.cli) {
    for (const folder of ['schemas', 'templates']) if (existsSync(join(REPO_ROOT, folder))) cpSync(join(REPO_ROOT, folder), join(packageDir, folder), { recursive: true });
  }
  const configFile = ts.readConfigFile(join(REPO_ROOT, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, REPO_ROOT);
  const compilerOptions: ts.CompilerOptions = { ...parsed.options, outDir: join(packageDir, 'dist'), rootDir: REPO_ROOT, noEmit: false, sourceMap: false, declaration: true, incremental: false };
  const roots = [join(REPO_ROOT, 'engine/index.ts'), ...(options.cli ? [join(REPO_ROOT, 'engine/cli/main.ts')] : [])];
  const program = ts.createProgram(roots, compilerOptions);
  const result = program.emit();
  const errors = (options.cli ? [] : ts.getPreEmitDiagnostics(program)).concat(result.diagnostics).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0 || result.emitSkipped) {
    throw new Error(`The package entry does not compile:\n${ts.formatDiagnostics(errors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => REPO_ROOT, getNewLine: () => '\n' })}`);
  }
  // The package's own dependencies (jiti, ajv, …), as npm would have installed them.
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(packageDir, 'node_modules'), 'dir');
  return packageDir;
}

/** Makes `import … from 'idflow'` resolve from `projectDir` to the built package, as `npm install idflow` would. */
export function installIdflow(projectDir: string, packageDir: string): void {
  mkdirSync(join(projectDir, 'node_modules'), { recursive: true });
  symlinkSync(packageDir, join(projectDir, 'node_modules', 'idflow'), 'dir');
}
