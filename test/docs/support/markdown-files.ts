import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A markdown file of the documentation: its path relative to the repository root, and its text. */
export interface MarkdownFile {
  path: string;
  text: string;
}

/**
 * The README and every markdown file under `docs/` (at any depth), README first, then in path
 * order: what the documentation tests read. Files other engineers add to `docs/` are covered
 * without a change here.
 */
export function documentationFiles(root = process.cwd()): MarkdownFile[] {
  const docs = readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join('docs', name).split('\\').join('/'))
    .sort();
  return ['README.md', ...docs].map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));
}

/** One documentation file by its path relative to the repository root. */
export function documentationFile(path: string, root = process.cwd()): MarkdownFile {
  return { path, text: readFileSync(join(root, path), 'utf8') };
}
