import { readFile } from 'node:fs/promises';
import { LineCounter, isMap, isScalar, parseDocument, type Document, type Node } from 'yaml';
import type { Problem } from '../../../../engine/diagnostics/problem.js';
import { ValidationError } from '../../../../engine/errors/index.js';
import { checkSandboxData, type DataProblem } from './check-sandbox-data.js';
import type { SandboxData } from './sandbox-data.js';

/**
 * Reads and checks an org file. Every problem is reported at once, each with its line, column
 * and JSON pointer (a `ValidationError` with code `INVALID_INPUT`), so `idflow sandbox --data`
 * can show them all like `idflow validate` does.
 */
export async function loadSandboxData(file: string): Promise<SandboxData> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : (error as Error).message;
    const problem: Problem = { file, line: 1, column: 1, path: '', code: 'unreadable-file', message: `Cannot read the org file: ${reason}`, severity: 'error' };
    throw new ValidationError('INVALID_INPUT', `Cannot read org file "${file}": ${reason}`, [problem]);
  }
  return parseSandboxData(text, file);
}

/** Parses and checks org file text (`file` names it in problems). */
export function parseSandboxData(text: string, file: string): SandboxData {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const { line, column } = jsonErrorPosition(text, (error as Error).message);
    const problem: Problem = { file, line, column, path: '', code: 'json-syntax', message: `Not valid JSON: ${(error as Error).message}`, severity: 'error' };
    throw new ValidationError('INVALID_INPUT', `Org file "${file}" is not valid JSON (${file}:${line}:${column}): ${(error as Error).message}`, [problem]);
  }
  // JSON is YAML, and the YAML parser keeps source positions (and notices duplicate keys, which
  // JSON.parse silently resolves to the last one).
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const problems: Problem[] = doc.errors
    .filter((e) => e.code === 'DUPLICATE_KEY')
    .map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return { file, line: pos.line, column: pos.col, path: '', code: 'duplicate-key', message: 'A key appears twice in the same object; only the last value would be used', severity: 'error' as const };
    });
  problems.push(...checkSandboxData(value).map((p) => place(p, file, text, doc, lineCounter)));
  if (problems.length > 0) throw invalid(file, problems);
  return value as SandboxData;
}

/**
 * Checks org data given as an object (e.g. `startEmulator({ data })` or `POST /__sandbox/reset`).
 * Without source text there are no positions: problems point at line 1, column 1 and carry the
 * JSON pointer of the offending value.
 */
export function validateSandboxData(value: unknown, file = '<org data>'): SandboxData {
  const problems = checkSandboxData(value).map((p): Problem => ({ file, line: 1, column: 1, path: p.path, code: p.code, message: p.message, severity: 'error', ...(p.suggestion ? { suggestion: p.suggestion } : {}) }));
  if (problems.length > 0) throw invalid(file, problems);
  return value as SandboxData;
}

function invalid(file: string, problems: Problem[]): ValidationError {
  const lines = problems.map((p) => `  ${p.file}:${p.line}:${p.column} ${p.message}${p.suggestion ? ` (${p.suggestion})` : ''}`);
  return new ValidationError('INVALID_INPUT', `Org file "${file}" has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${lines.join('\n')}`, problems);
}

function place(problem: DataProblem, file: string, source: string, doc: Document, lineCounter: LineCounter): Problem {
  const segments = problem.path.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: Node | undefined;
  let length: number | undefined;
  if (problem.atKey === true) {
    // An unknown key: point at the key itself, not at its value.
    const parent = segments.length === 1 ? doc.contents : doc.getIn(segments.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === segments.at(-1));
      if (pair !== undefined && isScalar(pair.key)) node = pair.key;
    }
  }
  // Walk up until a node exists: a missing key is reported on its parent object.
  for (let depth = segments.length; node === undefined && depth >= 0; depth--) {
    node = ((depth === 0 ? doc.contents : doc.getIn(segments.slice(0, depth), true)) ?? undefined) as Node | undefined;
  }
  const start = node?.range?.[0] ?? 0;
  if (node?.range) {
    // Underline the value up to the end of its first line.
    const lineEnd = source.indexOf('\n', start);
    length = Math.max(1, Math.min(node.range[1], lineEnd === -1 ? node.range[1] : lineEnd) - start);
  }
  const pos = lineCounter.linePos(start);
  return {
    file, line: pos.line, column: pos.col, path: problem.path, code: problem.code, message: problem.message, severity: 'error',
    ...(problem.suggestion ? { suggestion: problem.suggestion } : {}),
    ...(length !== undefined ? { length } : {}),
  };
}

/** Line and column of a `JSON.parse` error, from "at position N" or "(line L column C)". */
function jsonErrorPosition(source: string, message: string): { line: number; column: number } {
  const lineCol = /line (\d+) column (\d+)/.exec(message);
  if (lineCol) return { line: Number(lineCol[1]), column: Number(lineCol[2]) };
  const position = /position (\d+)/.exec(message);
  const offset = position ? Number(position[1]) : source.length;
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
