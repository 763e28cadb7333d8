import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type YAMLError } from 'yaml';
import type { Problem } from '../diagnostics/problem.js';
import { FORBIDDEN_KEYS, MAX_ALIAS_COUNT, MAX_SOURCE_BYTES } from './limits.js';
import { SourceMap } from './source-map.js';

/** A YAML file turned into plain data, with a map back to its source, or into problems. */
export interface ParsedYaml {
  /** The data; undefined when the file could not be read as YAML (see `problems`). */
  data: unknown;
  /** Finds nodes of the file by JSON pointer. */
  map: SourceMap;
  /** Every YAML-level problem; when there is an error, `data` is undefined. */
  problems: Problem[];
}

/** What the file is, for messages (`template`, `config file`, `inputs file`). */
export interface ParseYamlOptions {
  what?: string;
  /** Largest accepted size in bytes (default {@link MAX_SOURCE_BYTES}). */
  maxBytes?: number;
}

/**
 * Parses one YAML 1.2 document strictly, reporting every problem at its line and column.
 *
 * @remarks
 * Stricter than `yaml`'s defaults on purpose, because admins author these files by hand and a
 * silent surprise is worse than an error:
 * - syntax errors, duplicate keys, several documents in one file and non-string keys are errors;
 * - unknown tags (`!secret`, `!!timestamp`), which `yaml` only warns about and then reads as
 *   plain strings, are errors;
 * - `__proto__`, `constructor` and `prototype` keys are refused at the key;
 * - `<<` merge keys are YAML 1.1: idflow reads YAML 1.2, where `<<` would be an ordinary key, so
 *   it is refused with an explanation instead of being silently kept;
 * - files over {@link MAX_SOURCE_BYTES} and alias bombs (aliases expanding more than
 *   {@link MAX_ALIAS_COUNT} times) are refused without being expanded.
 */
export function parseYaml(source: string, file: string, options: ParseYamlOptions = {}): ParsedYaml {
  const what = options.what ?? 'file';
  const maxBytes = options.maxBytes ?? MAX_SOURCE_BYTES;
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > maxBytes) {
    const map = new SourceMap(source, undefined, undefined);
    return { data: undefined, map, problems: [tooLarge(file, what, bytes, maxBytes)] };
  }
  const lineCounter = new LineCounter();
  // resolveKnownTags: false keeps YAML 1.1's !!timestamp, !!binary, !!set, !!omap out: they
  // would turn into Dates, Buffers, Sets and Maps that no JSON Schema describes.
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: false, stringKeys: true, version: '1.2', resolveKnownTags: false });
  const map = new SourceMap(source, doc, lineCounter);
  const problems: Problem[] = [];
  const place = (offset: number, length: number) => map.position(offset, length);

  for (const error of doc.errors) problems.push(yamlErrorProblem(error, file, doc, source, place));
  for (const warning of doc.warnings) {
    const [start, end] = warning.pos;
    const at = place(start, end - start);
    if (warning.code === 'TAG_RESOLVE_FAILED') {
      const tag = (/tag: (\S+)/.exec(warning.message)?.[1] ?? source.slice(start, end).split(/\s/)[0] ?? '').replace(/^tag:yaml\.org,2002:/, '!!');
      problems.push({
        file, ...at, path: '', code: 'yaml-unknown-tag', severity: 'error',
        message: `unknown tag "${tag}": idflow files are plain YAML 1.2 without custom tags`,
        suggestion: 'Remove the tag; write secrets as { env: NAME } references',
      });
    } else {
      problems.push({ file, ...at, path: '', code: 'yaml-warning', severity: 'warning', message: warning.message });
    }
  }
  if (problems.some((problem) => problem.severity === 'error')) return { data: undefined, map, problems: dedupe(problems) };

  problems.push(...forbiddenKeys(doc, file, place));
  if (problems.some((problem) => problem.severity === 'error')) return { data: undefined, map, problems };

  try {
    return { data: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), map, problems };
  } catch (error) {
    // yaml throws (rather than reporting) when aliases expand too much: an alias bomb.
    const firstAlias = findFirstAlias(doc);
    const at = firstAlias?.range ? place(firstAlias.range[0], firstAlias.range[1] - firstAlias.range[0]) : place(0, 1);
    const aliasBomb = error instanceof ReferenceError && /alias/i.test(error.message);
    problems.push({
      file, ...at, path: '', severity: 'error',
      code: aliasBomb ? 'yaml-alias-limit' : 'yaml-syntax',
      message: aliasBomb
        ? `the ${what} expands aliases (*name) more than ${MAX_ALIAS_COUNT} times; this looks like an alias bomb and is refused`
        : `the ${what} cannot be read as data: ${(error as Error).message}`,
    });
    return { data: undefined, map, problems };
  }
}

function tooLarge(file: string, what: string, bytes: number, maxBytes: number): Problem {
  return { file, line: 1, column: 1, length: 1, path: '', code: 'file-too-large', severity: 'error', message: tooLargeMessage(what, bytes, maxBytes) };
}

/** `the template is 2,000,000 bytes; idflow reads at most 1 MiB (1,048,576 bytes) and refuses it unparsed`. */
export function tooLargeMessage(what: string, bytes: number, maxBytes = MAX_SOURCE_BYTES): string {
  const count = (n: number) => n.toLocaleString('en-US');
  return `the ${what} is ${count(bytes)} bytes; idflow reads at most ${formatBytes(maxBytes)} (${count(maxBytes)} bytes) and refuses it unparsed`;
}

/** `1 MiB`, `2.5 MiB`, `900 KiB`, `12 bytes`. */
function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${trim(bytes / (1024 * 1024))} MiB`;
  if (bytes >= 1024) return `${trim(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

function trim(value: number): string {
  return value.toFixed(1).replace(/\.0$/, '');
}

type Place = (offset: number, length: number) => { line: number; column: number; length: number };

function yamlErrorProblem(error: YAMLError, file: string, doc: Document, source: string, place: Place): Problem {
  const [start, end] = error.pos;
  const at = place(start, end - start);
  const base = { file, ...at, path: '', severity: 'error' as const };
  switch (error.code) {
    case 'DUPLICATE_KEY': {
      const duplicate = findDuplicate(doc, start);
      const key = duplicate ? String(duplicate.key) : source.slice(start, end).trim();
      const first = duplicate?.firstOffset === undefined ? '' : ` (first defined at line ${place(duplicate.firstOffset, 1).line})`;
      return { ...base, code: 'yaml-duplicate-key', message: `duplicate key "${key}"${first}`, suggestion: 'Each key may appear once per map; remove or rename one of them' };
    }
    case 'MULTIPLE_DOCS':
      return { ...base, code: 'yaml-multiple-documents', message: 'the file contains more than one YAML document (a second "---"); it must hold exactly one', suggestion: 'Split the documents into separate files' };
    case 'NON_STRING_KEY':
      return { ...base, code: 'yaml-non-string-key', message: 'keys must be plain strings, not lists or maps' };
    default:
      return { ...base, code: 'yaml-syntax', message: cleanMessage(error.message) };
  }
}

/** `yaml` messages sometimes carry a position suffix; the problem carries the position itself. */
function cleanMessage(message: string): string {
  const text = message.replace(/ at line \d+, column \d+[\s\S]*$/, '').trim();
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The duplicated key whose node starts at `offset`, and where it was first defined. */
function findDuplicate(doc: Document, offset: number): { key: unknown; firstOffset?: number } | undefined {
  let result: { key: unknown; firstOffset?: number } | undefined;
  visit(doc, {
    Map(_, map) {
      const index = map.items.findIndex((pair) => isScalar(pair.key) && pair.key.range?.[0] === offset);
      const pair = map.items[index];
      if (!pair || !isScalar(pair.key)) return undefined;
      const keyValue = pair.key.value;
      const first = map.items.slice(0, index).find((other) => isScalar(other.key) && other.key.value === keyValue);
      result = { key: keyValue, ...(first && isScalar(first.key) && first.key.range ? { firstOffset: first.key.range[0] } : {}) };
      return visit.BREAK;
    },
  });
  return result;
}

function forbiddenKeys(doc: Document, file: string, place: Place): Problem[] {
  const problems: Problem[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (!isPair(pair) || !isScalar(pair.key) || typeof pair.key.value !== 'string' || !pair.key.range) return;
      const key = pair.key.value;
      const [start, end] = pair.key.range;
      if (FORBIDDEN_KEYS.has(key)) {
        problems.push({
          file, ...place(start, end - start), path: '', code: 'forbidden-key', severity: 'error',
          message: `the key "${key}" is not allowed anywhere in an idflow file (it could change how objects behave)`,
        });
      } else if (key === '<<' && pair.key.type === 'PLAIN') {
        problems.push({
          file, ...place(start, end - start), path: '', code: 'yaml-merge-key', severity: 'error',
          message: 'merge keys ("<<") are not supported: idflow reads YAML 1.2, where "<<" would be an ordinary key',
          suggestion: 'Write the keys out; an anchor (&name) and alias (*name) for a whole value still work',
        });
      }
    },
  });
  return problems;
}

function findFirstAlias(doc: Document): Node | undefined {
  let found: Node | undefined;
  const walk = (node: unknown): void => {
    if (found) return;
    if (isAlias(node)) found = node;
    else if (isMap(node)) for (const pair of node.items) walk(pair.value);
    else if (isSeq(node)) for (const item of node.items) walk(item);
  };
  walk(doc.contents);
  return found;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.line}:${problem.column}:${problem.code}:${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
