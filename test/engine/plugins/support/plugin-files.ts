import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A fresh temporary folder for one test's plugin files. */
export function tempDir(prefix = 'idflow-plugins-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `files` (relative path → text; objects are written as JSON) under `dir` and returns `dir`. */
export function writeFiles(dir: string, files: Record<string, string | object>): string {
  for (const [relative, content] of Object.entries(files)) {
    const path = join(dir, relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

/** The source of a minimal valid plugin module (ESM) with one action. */
export function actionModule(id: string, options: { description?: string; extra?: string } = {}): string {
  return `export default {
  id: ${JSON.stringify(id)},
  description: ${JSON.stringify(options.description ?? `Test action ${id}`)},
  params: { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: false },
  run(ctx, params) { return { changed: false, output: { hello: params.name ?? 'world' } }; },${options.extra ?? ''}
};
`;
}

/** The same as {@link actionModule}, as CommonJS. */
export function commonJsActionModule(id: string): string {
  return actionModule(id).replace('export default', 'module.exports =');
}
