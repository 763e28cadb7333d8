// Node module hooks for the benchmarks (registered by run.mjs with `module.register`).
//
// Why not load everything through a TypeScript loader: the benchmarks must measure the engine
// users run, which is the JavaScript `npm run build` puts in dist/, not a second transpilation
// of the sources. So:
// - an import of a file under engine/ or actions/ from a TypeScript file under test/ is sent to
//   the built file under dist/ (same path, `.js`);
// - a relative `.js` import that only exists as `.ts` (the benchmark code itself, type-checked
//   by test/tsconfig.json) is sent to the `.ts` file, which is transpiled here with the
//   TypeScript compiler's `transpileModule` (types removed, nothing else changed).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolvePath(dirname(fileURLToPath(import.meta.url)), '..', '..');
const testDir = join(root, 'test') + sep;
const builtDirs = ['engine', 'actions'].map((name) => join(root, name) + sep);

let typescript;

/** @type {import('node:module').ResolveHook} */
export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL?.startsWith('file:') ? fileURLToPath(context.parentURL) : undefined;
  if (parent !== undefined && parent.startsWith(testDir) && parent.endsWith('.ts') && (specifier.startsWith('./') || specifier.startsWith('../'))) {
    const target = resolvePath(dirname(parent), specifier);
    const built = builtDirs.find((dir) => target.startsWith(dir));
    if (built !== undefined) {
      const inDist = join(root, 'dist', target.slice(root.length + 1));
      if (!existsSync(inDist)) throw new Error(`The benchmarks need the build: ${inDist} is missing (run npm run build, or npm run bench, which builds first)`);
      return { url: pathToFileURL(inDist).href, shortCircuit: true };
    }
    if (target.endsWith('.js') && !existsSync(target)) {
      const source = `${target.slice(0, -3)}.ts`;
      if (existsSync(source)) return { url: pathToFileURL(source).href, shortCircuit: true };
    }
  }
  return nextResolve(specifier, context);
}

/** @type {import('node:module').LoadHook} */
export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && url.endsWith('.ts')) {
    typescript ??= (await import('typescript')).default;
    const file = fileURLToPath(url);
    const output = typescript.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: typescript.ModuleKind.ESNext,
        target: typescript.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
        sourceMap: false,
        inlineSourceMap: true,
      },
    });
    return { format: 'module', source: output.outputText, shortCircuit: true };
  }
  return nextLoad(url, context);
}
