import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentationFiles } from './support/markdown-files.js';

/**
 * Every relative link and #anchor in README.md and docs/ resolves: the file or folder exists,
 * and an anchor names a heading of the page it points at (as GitHub makes anchors of headings).
 * The manual was split out of one README into pages that link to each other; a heading renamed
 * or a page moved must not leave a reader at a dead link.
 */

/** The text outside fenced code blocks, with inline code spans blanked: only real links remain. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line.replace(/(`+)[\s\S]*?\1/g, (span) => ' '.repeat(span.length));
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a markdown file's headings, numbered as GitHub numbers repeated ones. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = fenced ? undefined : /^#{1,6} +(.*?)(?: +#+)? *$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

interface Link {
  /** Where the link is: file and line. */
  where: string;
  target: string;
}

/** Every relative link (not http:, https: or mailto:) of a file, with where it is. */
function relativeLinks(path: string, text: string): Link[] {
  const links: Link[] = [];
  prose(text).forEach((line, index) => {
    for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1] ?? '';
      if (!/^(?:https?:|mailto:)/i.test(target)) links.push({ where: `${path}:${index + 1}`, target });
    }
  });
  return links;
}

/** Why a link does not resolve, or undefined when it does. */
function brokenBecause(from: string, target: string, root: string): string | undefined {
  const hash = target.indexOf('#');
  const pathPart = hash === -1 ? target : target.slice(0, hash);
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const file = pathPart === '' ? from : relative(root, normalize(join(root, dirname(from), decodeURIComponent(pathPart)))).split('\\').join('/');
  if (!existsSync(join(root, file))) return `${file} does not exist`;
  if (anchor === undefined) return undefined;
  if (statSync(join(root, file)).isDirectory() || !file.endsWith('.md')) return `#${anchor} points into ${file}, which is not a markdown page`;
  const anchors = anchorsOf(readFileSync(join(root, file), 'utf8'));
  return anchors.has(anchor) ? undefined : `${file} has no heading with the anchor #${anchor}`;
}

describe('documentation links', () => {
  const root = process.cwd();
  const files = documentationFiles(root);

  it('reads the README and the docs', () => {
    expect(files.map((file) => file.path)).toEqual(expect.arrayContaining(['README.md', 'docs/README.md', 'docs/language.md', 'docs/actions.md']));
  });

  it.each(files.map((file) => [file.path, file.text] as const))('every relative link and anchor in %s resolves', (path, text) => {
    const links = relativeLinks(path, text);
    const broken = links.flatMap((link) => {
      const why = brokenBecause(path, link.target, root);
      return why === undefined ? [] : [`${link.where}: (${link.target}): ${why}`];
    });
    expect(broken).toEqual([]);
  });

  it('finds links and anchors the way GitHub does', () => {
    expect(slug('The emulator: `--sandbox` and `idflow sandbox`')).toBe('the-emulator---sandbox-and-idflow-sandbox');
    expect(slug('Event webhooks: `POST /events/{name}`')).toBe('event-webhooks-post-eventsname');
    expect([...anchorsOf('# A\n## A\n```\n# not a heading\n```\n## A\n')]).toEqual(['a', 'a-1', 'a-2']);
    expect(relativeLinks('x.md', 'see [here](a.md#b) and `[code](c.md)`\n```\n[fenced](d.md)\n```\n[web](https://x.y)')).toEqual([{ where: 'x.md:1', target: 'a.md#b' }]);
    expect(brokenBecause('README.md', 'docs/no-such-page.md', root)).toBe('docs/no-such-page.md does not exist');
    expect(brokenBecause('README.md', '#no-such-heading', root)).toBe('README.md has no heading with the anchor #no-such-heading');
  });
});
