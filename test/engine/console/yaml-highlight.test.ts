import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { highlightYaml } from '../../../engine/console/yaml-highlight.js';

const unescape = (html: string): string =>
  html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&#x60;/g, '`').replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

describe('highlightYaml', () => {
  it('keeps the source text exactly, every template shipped', () => {
    for (const file of ['templates/jumpcloud-offboarding.yaml', 'templates/jumpcloud-onboarding.yaml', 'examples/hello.yaml']) {
      const source = readFileSync(file, 'utf8');
      expect(unescape(highlightYaml(source))).toBe(source);
    }
  });

  it('names keys, strings, numbers, comments, indicators, anchors and tags', () => {
    const html = highlightYaml('id: x # note\nn: 3\nok: true\nlist:\n  - "q"\nbody: |\n  text\na: &anchor v\nb: *anchor\nt: !!str 5\n');
    expect(html).toContain('<span class="k">id</span><span class="p">:</span> <span class="s">x</span> <span class="c"># note</span>');
    expect(html).toContain('<span class="k">n</span><span class="p">:</span> <span class="n">3</span>');
    expect(html).toContain('<span class="n">true</span>');
    expect(html).toContain('<span class="p">-</span> <span class="s">&quot;q&quot;</span>');
    expect(html).toContain('<span class="p">|</span>\n<span class="s">  text\n</span>');
    expect(html).toContain('<span class="a">&amp;anchor</span>');
    expect(html).toContain('<span class="a">*anchor</span>');
    expect(html).toContain('<span class="t">!!str</span>');
  });

  it('escapes markup in values and comments', () => {
    const html = highlightYaml('name: "<script>alert(1)</script>" # <b>\n');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});
