import { analyzeTemplate } from './analyze-template.js';

/**
 * Whether a string is a template at all: only text containing `{{` can render to anything
 * other than itself. Cheap enough to call on every string of a workflow.
 */
export function isTemplate(text: string): boolean {
  return text.includes('{{');
}

/** How many distinct template texts {@link templateReferences} remembers (templates come from workflow files). */
const CACHE_LIMIT = 5000;

/** The references of each template text seen, oldest first (see {@link templateReferences}). */
const cache = new Map<string, readonly string[]>();

/** What a text without `{{` reads: shared, since it cannot be changed. */
const NONE: readonly string[] = Object.freeze([]);

/**
 * The run-data paths a template reads, as dotted paths from the top of the data (e.g.
 * `['steps.lookup.output.user.id', 'inputs.reason']`), each once, in order of appearance.
 * Paths relative to an `#each`/`#with` item are not included (their root is the item);
 * `@root.…` and the blocks' own arguments are. A template with a syntax error reads nothing.
 *
 * @remarks
 * The answer for a text depends on nothing else, so it is worked out once per text and
 * remembered (up to {@link CACHE_LIMIT} texts, the oldest forgotten first): every run checks
 * its parameters before its first step (`checkParamsBeforeRun`), and parsing the same
 * `{{inputs.email}}` again for every step of every run was a fifth of a step's time in the
 * engine-overhead benchmark. The list returned is frozen, since it is shared.
 */
export function templateReferences(text: string): readonly string[] {
  if (!isTemplate(text)) return NONE;
  const known = cache.get(text);
  if (known !== undefined) return known;
  const references = Object.freeze(readReferences(text));
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(text, references);
  return references;
}

function readReferences(text: string): string[] {
  const result = analyzeTemplate(text);
  if (!result.ok) return [];
  const seen = new Set<string>();
  for (const use of result.analysis.paths) {
    if (use.scope === 'root' && use.segments.length > 0) seen.add(use.segments.join('.'));
  }
  return [...seen];
}
