import fc from 'fast-check';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';

/**
 * Mutations of YAML and JSON text for the fuzzers: what a person editing a file by hand, a bad
 * merge or a truncated download does to it. Text mutations work on lines and characters;
 * structural ones parse the text, change one node (remove it, give it another value or type,
 * rename a key, add an unknown key) and write it back.
 */

/** Characters that mean something to YAML, JSON, Handlebars or JSON-logic, and some that mean nothing. */
const SPECIAL = [':', '-', '?', '{', '}', '[', ']', ',', '"', "'", '#', '&', '*', '!', '|', '>', '%', '@', '`', '\t', '\n', ' ', '\\', '{{', '}}', '{{#if', '{{/if}}', '<<', '~', '\u00a0', '\u200b', '\ufeff', 'é', '😀', '\r\n', '\u0000'];

/** A short piece of text likely to break something. */
export const noise: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SPECIAL),
  fc.string({ maxLength: 12 }),
  fc.array(fc.constantFrom(...SPECIAL), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')),
  fc.constantFrom('null', 'true', '~', '0x1F', '1e9999', '.inf', '!!binary aGk=', '!secret X', '&a [*a, *a]', '__proto__', 'constructor', 'steps', 'action', 'with', 'if', 'inputs', '{{secret "X"}}', '{{steps.missing.output}}', '{"var": "x"}', 'on_failure', 'foreach', 'retry'),
);

/** One text mutation, applied to `text` with positions chosen from `pick` (0 ≤ pick < 1). */
type TextMutation = (text: string, pick: number, insert: string) => string;

const lineMutations: Record<string, TextMutation> = {
  deleteLine: (text, pick) => withLines(text, (lines, i) => lines.splice(i, 1), pick),
  duplicateLine: (text, pick) => withLines(text, (lines, i) => lines.splice(i, 0, lines[i] ?? ''), pick),
  swapWithNext: (text, pick) => withLines(text, (lines, i) => {
    const next = Math.min(i + 1, lines.length - 1);
    [lines[i], lines[next]] = [lines[next] ?? '', lines[i] ?? ''];
  }, pick),
  indentMore: (text, pick) => withLines(text, (lines, i) => { lines[i] = `  ${lines[i] ?? ''}`; }, pick),
  indentLess: (text, pick) => withLines(text, (lines, i) => { lines[i] = (lines[i] ?? '').replace(/^ {1,2}/, ''); }, pick),
  tabIndent: (text, pick) => withLines(text, (lines, i) => { lines[i] = (lines[i] ?? '').replace(/^ +/, '\t'); }, pick),
  insertText: (text, pick, insert) => {
    const at = Math.floor(pick * (text.length + 1));
    return text.slice(0, at) + insert + text.slice(at);
  },
  replaceText: (text, pick, insert) => {
    const at = Math.floor(pick * text.length);
    return text.slice(0, at) + insert + text.slice(at + Math.max(1, insert.length));
  },
  truncate: (text, pick) => text.slice(0, Math.floor(pick * text.length)),
  appendLine: (text, _pick, insert) => `${text}\n${insert}`,
};

function withLines(text: string, change: (lines: string[], index: number) => void, pick: number): string {
  const lines = text.split('\n');
  change(lines, Math.min(lines.length - 1, Math.floor(pick * lines.length)));
  return lines.join('\n');
}

/** A text mutation as data (so fast-check can print and shrink it). */
export interface TextEdit {
  kind: keyof typeof lineMutations;
  pick: number;
  insert: string;
}

export const textEdit: fc.Arbitrary<TextEdit> = fc.record({
  kind: fc.constantFrom(...(Object.keys(lineMutations) as Array<keyof typeof lineMutations>)),
  pick: fc.double({ min: 0, max: 0.999999, noNaN: true }),
  insert: noise,
});

/** Applies text edits in order. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  return edits.reduce((current, edit) => (lineMutations[edit.kind] as TextMutation)(current, edit.pick, edit.insert), text);
}

/** A structural mutation as data. */
export interface NodeEdit {
  kind: 'remove' | 'replace' | 'renameKey' | 'addKey';
  /** Which node, as a fraction of the document's nodes in order. */
  pick: number;
  value: unknown;
  key: string;
}

export const nodeEdit: fc.Arbitrary<NodeEdit> = fc.record({
  kind: fc.constantFrom('remove', 'replace', 'renameKey', 'addKey'),
  pick: fc.double({ min: 0, max: 0.999999, noNaN: true }),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), noise, fc.constantFrom(null, true, 0, -1, 1.5, '', [], {})),
  key: fc.oneof(noise, fc.constantFrom('id', 'action', 'with', 'if', 'steps', 'inputs', 'type', 'required', 'default', 'enum', 'secret', 'connections', 'vars', 'plugins', 'store', 'api_key', 'env', 'serve')),
});

/**
 * Applies structural edits to YAML (or JSON) text and writes it back as YAML. Text that does
 * not parse is returned unchanged (the text mutations cover broken syntax).
 */
export function applyNodeEdits(text: string, edits: readonly NodeEdit[]): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || doc.contents === null) return text;
  for (const edit of edits) {
    const nodes: Array<{ parent: Node; key: unknown; node: Node }> = [];
    collect(doc.contents as Node, nodes);
    const target = nodes[Math.floor(edit.pick * nodes.length)];
    if (target === undefined) continue;
    const { parent, key, node } = target;
    if (edit.kind === 'remove') {
      if (isMap(parent) || isSeq(parent)) parent.delete(key);
    } else if (edit.kind === 'replace') {
      if (isMap(parent) || isSeq(parent)) parent.set(key, doc.createNode(edit.value));
    } else if (edit.kind === 'renameKey') {
      if (isMap(parent)) {
        const pair = parent.items.find((p) => p.value === node);
        if (pair !== undefined) pair.key = doc.createNode(edit.key);
      }
    } else if (isMap(node)) {
      node.set(edit.key, doc.createNode(edit.value));
    }
  }
  return doc.toString();
}

function collect(node: Node, out: Array<{ parent: Node; key: unknown; node: Node }>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (pair.value !== null && typeof pair.value === 'object') {
        out.push({ parent: node, key, node: pair.value as Node });
        collect(pair.value as Node, out);
      }
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      if (item !== null && typeof item === 'object') {
        out.push({ parent: node, key: index, node: item as Node });
        collect(item as Node, out);
      }
    });
  }
}

/** A mutated version of one of `sources`: text edits, structural edits, or both. */
export function mutatedText(sources: readonly string[]): fc.Arbitrary<{ source: number; nodeEdits: NodeEdit[]; textEdits: TextEdit[]; text: string }> {
  return fc.record({
    source: fc.nat({ max: sources.length - 1 }),
    nodeEdits: fc.array(nodeEdit, { maxLength: 3 }),
    textEdits: fc.array(textEdit, { maxLength: 3 }),
  }).filter((m) => m.nodeEdits.length + m.textEdits.length > 0).map((m) => ({ ...m, text: applyTextEdits(applyNodeEdits(sources[m.source] as string, m.nodeEdits), m.textEdits) }));
}

/** Settles with `work`, or rejects when it takes longer than `ms` (a hang, not a speed target). */
export async function withinTime<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms (a hang)`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}
