import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, parseDocument, type Scalar } from 'yaml';
import { indexOfLineColumn, scalarOffset } from '../../../engine/loader/scalar-offsets.js';

/** Parses `source` and returns its top-level `v:` scalar. */
function scalarOf(source: string): Scalar {
  const doc = parseDocument(source);
  expect(doc.errors).toEqual([]);
  const contents = doc.contents;
  if (!isMap(contents)) throw new Error('expected a map');
  const node = contents.get('v', true);
  if (!isScalar(node)) throw new Error('expected a scalar');
  return node;
}

/** The source character each value character is mapped to. */
function mappedChars(source: string, scalar: Scalar): string {
  const value = String(scalar.value);
  return [...value].map((_, index) => source[scalarOffset(source, scalar, index)]).join('');
}

describe('scalarOffset: exact for the styles templates are written in', () => {
  it.each([
    ['plain', 'v: Hello {{inputs.user}}!\n'],
    ['plain over two lines', 'v: Hello {{inputs.user}}\n  and {{vars.org}}\n'],
    ['single-quoted with an escaped quote', "v: 'It''s {{inputs.user}}'\n"],
    ['double-quoted', 'v: "Hello {{inputs.user}}"\n'],
    ['block literal', 'v: |\n  first line\n  {{steps.a.output}} here\n'],
    ['block literal, indented deeper', 'v: |\n      first\n      second {{x}}\n'],
    ['block folded', 'v: >\n  first\n  second {{x}}\n\n  third\n'],
  ])('%s', (_name, source) => {
    const scalar = scalarOf(source);
    const value = String(scalar.value);
    // Every non-space character of the value maps to that same character in the source.
    const mapped = mappedChars(source, scalar);
    for (let i = 0; i < value.length; i++) {
      if (!/\s/.test(value[i] as string)) expect(mapped[i], `character ${i} of ${JSON.stringify(value)}`).toBe(value[i]);
    }
  });

  it('maps escapes in double quotes to the backslash that starts them', () => {
    const source = 'v: "a\\tb\\"{{x}}\\u00e9{{y}}"\n';
    const scalar = scalarOf(source);
    const value = String(scalar.value);
    expect(value).toBe('a\tb"{{x}}é{{y}}');
    expect(source.slice(scalarOffset(source, scalar, value.indexOf('{{x'))).startsWith('{{x}}')).toBe(true);
    expect(source.slice(scalarOffset(source, scalar, value.indexOf('{{y'))).startsWith('{{y}}')).toBe(true);
    expect(source[scalarOffset(source, scalar, 1)]).toBe('\\');
  });

  it('falls back to the start of the text when the value cannot be replayed', () => {
    // An explicit indentation indicator is not replayed: the start of the text is used.
    const source = 'v: |2\n    indented {{x}}\n';
    const scalar = scalarOf(source);
    const offset = scalarOffset(source, scalar, 5);
    expect(offset).toBeGreaterThanOrEqual(source.indexOf('|'));
    expect(offset).toBeLessThan(source.length);
  });

  it('holds for any single-quoted, double-quoted or literal text (property)', () => {
    const text = fc.stringMatching(/^[a-z{}. '"\\]{1,40}$/);
    fc.assert(
      fc.property(text, fc.constantFrom('single', 'double', 'literal'), (value, style) => {
        let source: string;
        if (style === 'single') source = `v: '${value.replace(/'/g, "''")}'\n`;
        else if (style === 'double') source = `v: ${JSON.stringify(value)}\n`;
        else {
          if (value.trim() !== value || value.trim() === '') return;
          source = `v: |-\n  ${value}\n`;
        }
        const scalar = scalarOf(source);
        expect(scalar.value).toBe(value);
        for (let i = 0; i < value.length; i++) {
          const at = source[scalarOffset(source, scalar, i)];
          const expected = value[i] as string;
          // In double quotes, `"` and `\` are written escaped: the offset is the backslash.
          if (style === 'double' && (expected === '"' || expected === '\\')) expect(at).toBe('\\');
          else expect(at).toBe(expected);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('indexOfLineColumn', () => {
  it('turns a 1-based line and column into an index', () => {
    const value = 'ab\ncde\nf';
    expect(indexOfLineColumn(value, 1, 1)).toBe(0);
    expect(indexOfLineColumn(value, 2, 2)).toBe(4);
    expect(value[indexOfLineColumn(value, 3, 1)]).toBe('f');
  });
});
