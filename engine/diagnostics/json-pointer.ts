/**
 * JSON pointers (RFC 6901): how problems name the node they are about (`/steps/2/with/message`),
 * independent of where that node sits in the file.
 */

/** Escapes one segment: `~` → `~0`, `/` → `~1`. */
export function escapeSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Builds a pointer from segments; no segments is the document root `""`. */
export function encodePointer(segments: ReadonlyArray<string | number>): string {
  return segments.map((segment) => `/${escapeSegment(segment)}`).join('');
}

/** The segments of a pointer; `""` (the root) has none. */
export function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The pointer of a child of `parent`. */
export function childPointer(parent: string, segment: string | number): string {
  return `${parent}/${escapeSegment(segment)}`;
}

/**
 * A pointer as people read it in messages: `steps[2].with.message`; the root is `""`.
 * Numeric segments become indexes of the segment before them.
 */
export function readablePath(pointer: string): string {
  let text = '';
  for (const segment of decodePointer(pointer)) {
    if (/^(0|[1-9][0-9]*)$/.test(segment)) text += `[${segment}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text;
}

/**
 * The short name of the node at `pointer` for messages: its key (`"timeout"`), or its parent's
 * key with its index for list items (`"steps[2]"`); undefined for the root.
 */
export function nodeName(pointer: string): string | undefined {
  const segments = decodePointer(pointer);
  const last = segments.at(-1);
  if (last === undefined) return undefined;
  if (!/^(0|[1-9][0-9]*)$/.test(last)) return last;
  return readablePath(encodePointer(segments.slice(-2)));
}

/** The value at `pointer` inside plain data, or undefined when there is none. */
export function valueAt(data: unknown, pointer: string): unknown {
  let current = data;
  for (const segment of decodePointer(pointer)) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (typeof current === 'object' && current !== null && Object.hasOwn(current, segment)) current = (current as Record<string, unknown>)[segment];
    else return undefined;
  }
  return current;
}
