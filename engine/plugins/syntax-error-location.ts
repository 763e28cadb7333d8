import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** Where a JavaScript file fails to parse (1-based), and Node's message. */
export interface SyntaxErrorLocation {
  line: number;
  column: number;
  message: string;
}

/**
 * Finds where a JavaScript file fails to parse, by asking Node itself (`node --check`), so the
 * location is exactly the one Node would print.
 *
 * @remarks
 * On Node 20, the `SyntaxError` that `import()` rejects with carries neither the file nor the
 * line (Node prints them only for uncaught errors, from a private field), so there is no way
 * to read them in-process. This runs only after an import has already failed, so it costs
 * nothing on the normal path.
 *
 * @param file - the JavaScript file.
 * @param mode - how Node read it: `module` (ESM) or `commonjs`.
 * @returns the location and Node's message, or undefined when the file itself parses (the
 *   error is in a module it imports, or was thrown at run time).
 */
export async function findSyntaxError(file: string, mode: 'module' | 'commonjs'): Promise<SyntaxErrorLocation | undefined> {
  const source = await readFile(file, 'utf8');
  const output = await checkSource(source, mode);
  if (output === undefined) return undefined;
  // Node prints "[stdin]:LINE", the offending source line, a caret line, then "SyntaxError: …".
  const lines = output.split('\n');
  const header = lines.findIndex((line) => /^\[stdin\]:\d+$/.test(line.trim()));
  if (header === -1) return undefined;
  const line = Number((lines[header] as string).trim().slice('[stdin]:'.length));
  const caretLine = lines[header + 2] ?? '';
  const caret = caretLine.indexOf('^');
  const messageLine = lines.find((text) => /^SyntaxError: /.test(text));
  return { line, column: caret === -1 ? 1 : caret + 1, message: messageLine === undefined ? 'Syntax error' : messageLine.slice('SyntaxError: '.length) };
}

function checkSource(source: string, mode: 'module' | 'commonjs'): Promise<string | undefined> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [`--input-type=${mode}`, '--check'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise(code === 0 ? undefined : stderr));
    // A syntax error may make node exit before reading all of stdin.
    child.stdin.on('error', () => undefined);
    child.stdin.end(source);
  });
}
