import type { Scalar } from 'yaml';

/**
 * Maps a position inside the *value* of a YAML string scalar back to an offset in the file, so
 * that a problem a template checker finds at "line 1, column 12 of the string" is shown under
 * the right character of the source.
 *
 * @remarks
 * Exact for plain scalars (single- and multi-line), single-quoted scalars and block literals
 * (`|`), which is how templates are written. Double-quoted scalars (escapes) and block folded
 * scalars (`>`, line folding) are mapped by replaying YAML's rules; whenever the replay does not
 * reproduce the parsed value exactly (an unusual escape, an indentation indicator), the position
 * falls back to the start of the scalar's text rather than pointing at a wrong character.
 */

/** One character of a scalar's value and the file offset it came from. */
interface Produced {
  text: string;
  offsets: number[];
}

/**
 * The file offset of character `index` of the scalar's value (`index === value.length` is the
 * end of the value). Falls back to the start of the scalar's text when the value cannot be
 * replayed exactly.
 */
export function scalarOffset(source: string, scalar: Scalar, index: number): number {
  const range = scalar.range;
  if (!range) return 0;
  const [start, end] = range;
  const value = typeof scalar.value === 'string' ? scalar.value : String(scalar.value);
  const produced = replay(source, scalar, start, end);
  const contentStart = contentStartOf(source, scalar, start, end);
  if (!produced) return contentStart;
  const matches = isBlock(scalar) ? produced.text.replace(/\n+$/, '') === value.replace(/\n+$/, '') : produced.text === value;
  if (!matches) return contentStart;
  const clamped = Math.max(0, Math.min(index, produced.offsets.length));
  if (clamped < produced.offsets.length) return produced.offsets[clamped] ?? contentStart;
  return (produced.offsets.at(-1) ?? contentStart - 1) + 1;
}

/** The index in `value` of a 1-based line and column inside it. */
export function indexOfLineColumn(value: string, line: number, column: number): number {
  let index = 0;
  const lines = value.split('\n');
  const target = Math.max(1, Math.min(line, lines.length));
  for (let i = 0; i < target - 1; i++) index += (lines[i]?.length ?? 0) + 1;
  return index + Math.max(0, column - 1);
}

function isBlock(scalar: Scalar): boolean {
  return scalar.type === 'BLOCK_LITERAL' || scalar.type === 'BLOCK_FOLDED';
}

/** Where the scalar's text starts: after the opening quote, or on the first line of a block. */
function contentStartOf(source: string, scalar: Scalar, start: number, end: number): number {
  if (scalar.type === 'QUOTE_DOUBLE' || scalar.type === 'QUOTE_SINGLE') return start + 1;
  if (isBlock(scalar)) {
    const lines = blockLines(source, start, end);
    const first = lines.find((line) => line.text.trim() !== '');
    return first ? first.offset + indentOf(first.text) : start;
  }
  return start;
}

function replay(source: string, scalar: Scalar, start: number, end: number): Produced | undefined {
  switch (scalar.type) {
    case 'PLAIN':
      return replayFlow(source, start, end, 'plain');
    case 'QUOTE_SINGLE':
      return replayFlow(source, start + 1, end - 1, 'single');
    case 'QUOTE_DOUBLE':
      return replayFlow(source, start + 1, end - 1, 'double');
    case 'BLOCK_LITERAL':
      return replayBlock(source, start, end, false);
    case 'BLOCK_FOLDED':
      return replayBlock(source, start, end, true);
    default:
      return undefined;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', '/': '/', '\\': '\\',
  N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};

/** Replays a flow scalar (plain or quoted): line folding, `''` in single quotes, escapes in double quotes. */
function replayFlow(source: string, start: number, end: number, mode: 'plain' | 'single' | 'double'): Produced | undefined {
  const out: Produced = { text: '', offsets: [] };
  const emit = (text: string, offset: number): void => {
    for (const unit of text) {
      for (let k = 0; k < unit.length; k++) {
        out.text += unit[k];
        out.offsets.push(offset);
      }
    }
  };
  let i = start;
  while (i < end) {
    const c = source[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      let j = i;
      while (j < end && /[ \t\r\n]/.test(source[j] as string)) j++;
      const run = source.slice(i, j);
      const breaks = run.split('\n').length - 1;
      if (breaks === 0) emit(run, i);
      else if (breaks === 1) emit(' ', i);
      else emit('\n'.repeat(breaks - 1), i);
      i = j;
      continue;
    }
    if (mode === 'single' && c === "'" && source[i + 1] === "'") {
      emit("'", i);
      i += 2;
      continue;
    }
    if (mode === 'double' && c === '\\') {
      const next = source[i + 1];
      if (next === '\n' || next === '\r') {
        let j = i + 1;
        while (j < end && /[ \t\r\n]/.test(source[j] as string)) j++;
        i = j;
        continue;
      }
      const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
      if (hexLength > 0) {
        const code = Number.parseInt(source.slice(i + 2, i + 2 + hexLength), 16);
        if (Number.isNaN(code)) return undefined;
        emit(String.fromCodePoint(code), i);
        i += 2 + hexLength;
        continue;
      }
      const escaped = next === undefined ? undefined : ESCAPES[next];
      if (escaped === undefined) return undefined;
      emit(escaped, i);
      i += 2;
      continue;
    }
    emit(c, i);
    i++;
  }
  // Flow scalars drop trailing white space before the closing quote only across line breaks,
  // which the folding above already handled; plain scalars never end in spaces.
  if (mode === 'plain') {
    while (out.text.endsWith(' ') || out.text.endsWith('\t')) {
      out.text = out.text.slice(0, -1);
      out.offsets.pop();
    }
  }
  return out;
}

interface BlockLine {
  text: string;
  offset: number;
}

/** The content lines of a block scalar (after its header line), with their file offsets. */
function blockLines(source: string, start: number, end: number): BlockLine[] {
  const headerEnd = source.indexOf('\n', start);
  if (headerEnd === -1 || headerEnd >= end) return [];
  const lines: BlockLine[] = [];
  let offset = headerEnd + 1;
  for (const text of source.slice(headerEnd + 1, end).split('\n')) {
    lines.push({ text: text.replace(/\r$/, ''), offset });
    offset += text.length + 1;
  }
  return lines;
}

function indentOf(text: string): number {
  return text.length - text.trimStart().length;
}

/**
 * Replays a block scalar: each content line without its indentation; line breaks kept (`|`) or
 * folded into spaces between two ordinary lines (`>`).
 */
function replayBlock(source: string, start: number, end: number, folded: boolean): Produced | undefined {
  const lines = blockLines(source, start, end);
  const firstText = lines.find((line) => line.text.trim() !== '');
  if (!firstText) return { text: '', offsets: [] };
  const indent = indentOf(firstText.text);
  const out: Produced = { text: '', offsets: [] };
  const contents = lines.map((line) => ({ text: line.text.slice(Math.min(indent, indentOf(line.text))), offset: line.offset + Math.min(indent, indentOf(line.text)) }));
  let pendingEmpty = 0;
  let previous: 'none' | 'normal' | 'more' = 'none';
  for (const line of contents) {
    if (line.text.trim() === '') {
      pendingEmpty++;
      continue;
    }
    const kind = line.text.startsWith(' ') || line.text.startsWith('\t') ? 'more' : 'normal';
    if (previous !== 'none') {
      const breakOffset = line.offset - 1;
      if (folded && previous === 'normal' && kind === 'normal') {
        if (pendingEmpty === 0) push(out, ' ', breakOffset);
        else push(out, '\n'.repeat(pendingEmpty), breakOffset);
      } else {
        push(out, '\n'.repeat(pendingEmpty + 1), breakOffset);
      }
    } else if (pendingEmpty > 0) {
      push(out, '\n'.repeat(pendingEmpty), line.offset - 1);
    }
    pendingEmpty = 0;
    for (let k = 0; k < line.text.length; k++) push(out, line.text[k] as string, line.offset + k);
    previous = kind;
  }
  return out;
}

function push(out: Produced, text: string, offset: number): void {
  for (let k = 0; k < text.length; k++) {
    out.text += text[k];
    out.offsets.push(offset);
  }
}
