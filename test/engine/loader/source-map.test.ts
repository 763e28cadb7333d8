import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../../engine/loader/parse-yaml.js';

const source = [
  'id: demo', //                                 line 1
  'steps:', //                                   line 2
  '  - id: first', //                            line 3
  '    with:', //                                line 4
  '    if: { "==": [{ var: inputs.x }, 1] }', // line 5
  '  - id: second', //                           line 6
  '    with: &shared { message: hi }', //        line 7
  'output: *shared', //                          line 8
  'empty: {}', //                                line 9
].join('\n');

describe('SourceMap', () => {
  const { map, problems } = parseYaml(source, 'demo.yaml');

  it('parses without problems', () => {
    expect(problems).toEqual([]);
  });

  it('locates values, keys and maps by JSON pointer', () => {
    expect(map.locate('/id')).toEqual({ line: 1, column: 5, length: 4 });
    expect(map.locate('/id', 'key')).toEqual({ line: 1, column: 1, length: 2 });
    expect(map.locate('/steps/1/id')).toEqual({ line: 6, column: 9, length: 6 });
    // A map missing a key: its first key.
    expect(map.locate('/steps/1', 'map')).toEqual({ line: 6, column: 5, length: 2 });
    // An empty map: the key it is the value of.
    expect(map.locate('/empty', 'map')).toEqual({ line: 9, column: 1, length: 5 });
  });

  it('points at the key of a key without a value', () => {
    expect(map.locate('/steps/0/with')).toEqual({ line: 4, column: 5, length: 4 });
  });

  it('places a pointer that leads nowhere at the nearest node that exists', () => {
    expect(map.locate('/steps/1/with/level')).toEqual(map.locate('/steps/1/with'));
    expect(map.locate('/nothing/here')).toEqual({ line: 1, column: 1, length: 8 });
  });

  it('follows aliases to their anchor', () => {
    expect(map.locate('/output/message')).toEqual({ line: 7, column: 30, length: 2 });
  });

  it('places a problem inside a condition by its pointer within the rule', () => {
    const problem = map.toProblem({ pointer: '/steps/0/if', code: 'x', message: 'm', local: { code: 'x', message: 'm', path: '/==/0/var' } }, 'demo.yaml');
    expect(problem).toMatchObject({ line: 5, column: 25, path: '/steps/0/if/==/0/var', length: 8 });
  });

  it('places a problem inside a string by its line and column within the value', () => {
    const problem = map.toProblem({ pointer: '/steps/1/with/message', code: 'x', message: 'm', local: { code: 'x', message: 'm', line: 1, column: 2, length: 1 } }, 'demo.yaml');
    expect(problem).toMatchObject({ line: 7, column: 31, length: 1 });
  });
});

describe('parseYaml', () => {
  it('reads an empty document as null', () => {
    const parsed = parseYaml('# nothing but a comment\n', 'empty.yaml');
    expect(parsed.problems).toEqual([]);
    expect(parsed.data).toBeNull();
  });

  it('refuses keys that are lists or maps', () => {
    const parsed = parseYaml('[a]: 1\n', 'keys.yaml');
    expect(parsed.data).toBeUndefined();
    expect(parsed.problems).toEqual([
      expect.objectContaining({ line: 1, column: 1, code: 'yaml-non-string-key', message: 'keys must be plain strings, not lists or maps' }),
    ]);
  });

  it('keeps YAML 1.2 scalars: yes, on and 017 are not booleans or octal', () => {
    expect(parseYaml('a: yes\nb: on\nc: 017\n', 'scalars.yaml').data).toEqual({ a: 'yes', b: 'on', c: 17 });
  });

  it('refuses a prototype key at any depth, at the key', () => {
    const parsed = parseYaml('a:\n  - b:\n      prototype: 1\n', 'deep.yaml');
    expect(parsed.problems).toEqual([expect.objectContaining({ line: 3, column: 7, length: 9, code: 'forbidden-key' })]);
  });

  it.each(['!!timestamp 2024-01-01', '!!binary aGVsbG8=', '!!set {x}'])('refuses YAML 1.1 tags too: %s', (value) => {
    const parsed = parseYaml(`when: ${value}\n`, 'tags.yaml');
    expect(parsed.data).toBeUndefined();
    expect(parsed.problems[0]?.code).toBe('yaml-unknown-tag');
  });

  it('says which tag is unknown', () => {
    const parsed = parseYaml('when: !!timestamp 2024-01-01\n', 'tags.yaml');
    expect(parsed.problems).toEqual([expect.objectContaining({ line: 1, column: 7, code: 'yaml-unknown-tag', message: 'unknown tag "!!timestamp": idflow files are plain YAML 1.2 without custom tags' })]);
  });
});
