/**
 * "Did you mean" suggestions: the candidates closest to what was typed, by edit distance.
 */

/**
 * Edit distance, case-insensitive, counting a swap of two neighbouring letters (`stpes`,
 * `wiht`) as one edit, as people make it (optimal string alignment distance).
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (s === t) return 0;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: t.length + 1 }, (_, i) => i);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, (beforePrevious[j - 2] ?? 0) + 1);
      current[j] = best;
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[t.length] ?? 0;
}

/**
 * The candidates close enough to `typed` to be a likely typo, best first (at most `limit`).
 * A candidate that contains the typed text, or is contained in it, also counts as close.
 *
 * A typo may have one edit (a swap of neighbours counts as one), two in a name of five or more
 * characters, and more only where the two differ over a long stretch: a third of the part
 * where they differ (after their common beginning and end), so that a long shared prefix does
 * not make everything close (`jumpcloud.user.suspnd` is not a typo of `jumpcloud.user.backup`).
 * A suggestion keeps at least one character of what was typed (`zz` is not a typo of `a`).
 */
export function closestMatches(typed: string, candidates: Iterable<string>, limit = 3): string[] {
  const lowered = typed.toLowerCase();
  const scored: Array<{ candidate: string; score: number }> = [];
  for (const candidate of candidates) {
    const distance = editDistance(typed, candidate);
    const threshold = Math.min(typed.length - 1, Math.max(typed.length >= 5 ? 2 : 1, Math.floor(differingLength(lowered, candidate.toLowerCase()) / 3)));
    const lc = candidate.toLowerCase();
    const related = lowered.length >= 3 && (lc.includes(lowered) || lowered.includes(lc));
    if (distance <= threshold || related) scored.push({ candidate, score: related ? Math.min(distance, threshold) : distance });
  }
  scored.sort((x, y) => x.score - y.score || x.candidate.localeCompare(y.candidate));
  return scored.slice(0, limit).map((s) => s.candidate);
}

/** The length of the longer of the two parts where `a` and `b` differ (without their common beginning and end). */
function differingLength(a: string, b: string): number {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  return Math.max(a.length, b.length) - start - end;
}

/** `Did you mean "x"?` / `Did you mean "x" or "y"?`, or undefined when nothing is close. */
export function didYouMean(typed: string, candidates: Iterable<string>): string | undefined {
  const matches = closestMatches(typed, candidates);
  if (matches.length === 0) return undefined;
  const quoted = matches.map((m) => `"${m}"`);
  return `Did you mean ${quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`}?`;
}
