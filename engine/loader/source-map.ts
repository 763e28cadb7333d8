import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { LocalProblem, Problem } from '../diagnostics/problem.js';
import type { Issue } from './issue.js';
import { childPointer, decodePointer } from '../diagnostics/json-pointer.js';
import { indexOfLineColumn, scalarOffset } from './scalar-offsets.js';

/** A place in a file: 1-based line and column, and how many characters to underline. */
export interface SourceLocation {
  line: number;
  column: number;
  length: number;
}

/** What a pointer leads to in the YAML tree: the node, and the pair it is the value of. */
interface Found {
  node: Node | null | undefined;
  pair?: Pair;
}

/**
 * Answers "where in the file is this node?" for a parsed YAML document: JSON pointer →
 * `{line, column, length}`, for a value, its key, or a position inside a string scalar.
 *
 * @remarks
 * Nodes are looked up on demand (only problems need positions), by walking the YAML tree with
 * the pointer's segments, so checkers can work on plain data. A pointer that leads nowhere
 * (a missing key) is placed at the nearest node that exists.
 */
export class SourceMap {
  constructor(
    private readonly source: string,
    private readonly doc: Document | undefined,
    private readonly lineCounter: LineCounter | undefined,
  ) {}

  /** Line, column and underline length of a file offset (length clipped to the end of the line). */
  position(offset: number, length = 1): SourceLocation {
    const clamped = Math.max(0, Math.min(offset, this.source.length));
    const { line, col } = this.lineCounter ? this.lineCounter.linePos(clamped) : linePos(this.source, clamped);
    const lineEnd = this.source.indexOf('\n', clamped);
    const available = (lineEnd === -1 ? this.source.length : lineEnd) - clamped;
    return { line, column: col, length: Math.max(1, Math.min(length, available)) };
  }

  /**
   * Where the node at `pointer` is: its value (default), its key, or for `map` the map's first
   * key (or the key it is the value of, when the map is empty).
   */
  locate(pointer: string, at: 'value' | 'key' | 'map' = 'value'): SourceLocation {
    const segments = decodePointer(pointer);
    for (let depth = segments.length; depth >= 0; depth--) {
      const found = this.find(segments.slice(0, depth));
      if (!found) continue;
      const exact = depth === segments.length;
      if (exact && at === 'key' && found.pair && isScalarish(found.pair.key)) return this.ofNode(found.pair.key);
      if (exact && at === 'map' && isMap(found.node)) {
        const first = found.node.items[0];
        if (first && isScalarish(first.key)) return this.ofNode(first.key);
        if (found.pair && isScalarish(found.pair.key)) return this.ofNode(found.pair.key);
      }
      // A key without a value (`with:`) has an empty null scalar after the colon: show the key.
      const range = isScalar(found.node) ? found.node.range : undefined;
      const empty = isScalar(found.node) && found.node.value === null && range !== undefined && range !== null && range[0] === range[1];
      if (found.node && found.node.range && !(empty && found.pair)) return this.ofNode(found.node);
      // A key with no value (`with:`): point at the key.
      if (found.pair && isScalarish(found.pair.key)) return this.ofNode(found.pair.key);
    }
    return this.position(0);
  }

  /**
   * Where a problem found inside the string at `pointer` is: `local.line`/`local.column` are
   * within the string's value (see `scalar-offsets.ts` for how exact that is per scalar style).
   */
  locateInString(pointer: string, local: Pick<LocalProblem, 'line' | 'column' | 'length'>): SourceLocation {
    const found = this.find(decodePointer(pointer));
    const node = found?.node;
    if (!isScalar(node) || typeof node.value !== 'string' || local.line === undefined) return this.locate(pointer);
    const index = indexOfLineColumn(node.value, local.line, local.column ?? 1);
    const offset = scalarOffset(this.source, node, index);
    return this.position(offset, local.length ?? 1);
  }

  /** Places an issue in the file as a {@link Problem}. */
  toProblem(issue: Issue, file: string): Problem {
    let pointer = issue.pointer;
    let location: SourceLocation;
    if (issue.local?.line !== undefined) {
      location = this.locateInString(pointer, issue.local);
    } else {
      if (issue.local?.path) pointer = joinPointer(pointer, issue.local.path);
      location = this.locate(pointer, issue.at ?? 'value');
      if (issue.local?.length !== undefined) location = { ...location, length: Math.max(1, Math.min(issue.local.length, location.length)) };
    }
    const problem: Problem = {
      file,
      line: location.line,
      column: location.column,
      path: pointer,
      code: issue.code,
      message: issue.message,
      severity: issue.severity ?? 'error',
      length: location.length,
    };
    if (issue.suggestion !== undefined) problem.suggestion = issue.suggestion;
    return problem;
  }

  private ofNode(node: Node): SourceLocation {
    const [start, end] = node.range ?? [0, 1];
    return this.position(start, end - start);
  }

  private find(segments: readonly string[]): Found | undefined {
    if (!this.doc) return undefined;
    let found: Found = { node: this.doc.contents as Node | null };
    for (const segment of segments) {
      let node = found.node;
      if (isAlias(node)) node = node.resolve(this.doc) as Node | undefined;
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
        if (!pair) return undefined;
        found = { node: pair.value as Node | null, pair };
      } else if (isSeq(node)) {
        const item = /^(0|[1-9][0-9]*)$/.test(segment) ? node.items[Number(segment)] : undefined;
        if (item === undefined) return undefined;
        found = { node: item as Node | null };
      } else {
        return undefined;
      }
    }
    return found;
  }
}

function isScalarish(node: unknown): node is Node {
  return isScalar(node) || isAlias(node) || isMap(node) || isSeq(node);
}

/** Joins a pointer inside a value (from a condition checker) onto the value's own pointer. */
function joinPointer(base: string, inner: string): string {
  if (inner === '' || inner === '/') return base;
  return inner.startsWith('/') ? base + inner : childPointer(base, inner);
}

function linePos(source: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (source[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}
