import { analyzeTemplate } from './analyze-template.js';

/**
 * Whether a string is a template at all: only text containing `{{` can render to anything
 * other than itself. Cheap enough to call on every string of a workflow.
 */
export function isTemplate(text: string): boolean {
  return text.includes('{{');
}

/**
 * The run-data paths a template reads, as dotted paths from the top of the data (e.g.
 * `['steps.lookup.output.user.id', 'inputs.reason']`), each once, in order of appearance.
 * Paths relative to an `#each`/`#with` item are not included (their root is the item);
 * `@root.…` and the blocks' own arguments are. A template with a syntax error reads nothing.
 */
export function templateReferences(text: string): string[] {
  if (!isTemplate(text)) return [];
  const result = analyzeTemplate(text);
  if (!result.ok) return [];
  const seen = new Set<string>();
  for (const use of result.analysis.paths) {
    if (use.scope === 'root' && use.segments.length > 0) seen.add(use.segments.join('.'));
  }
  return [...seen];
}
