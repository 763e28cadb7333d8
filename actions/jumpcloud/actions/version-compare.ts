/**
 * OS versions compared numerically, part by part (`10.0.19045` < `10.0.22631`, `13.6` < `14.0`,
 * `14` = `14.0`): as text, `9.1` would sort after `10.0`.
 */

/** The numeric parts of a version (`"22.04 LTS"` → `[22, 4]`), or undefined when it starts with none. */
export function versionParts(version: string): number[] | undefined {
  const match = /^\s*v?(\d+(?:\.\d+)*)/i.exec(version);
  return match?.[1] === undefined ? undefined : match[1].split('.').map(Number);
}

/** Negative when `a` is older than `b`, 0 when equal (missing parts count as 0), positive when newer. */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
