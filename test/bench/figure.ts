/**
 * One measured figure, as the table, the JSON output and BENCHMARKS.md show it.
 */
export interface Figure {
  /** The benchmark group, e.g. `engine overhead`. */
  group: string;
  /** What was measured, e.g. `1,000-step workflow: overhead per step`. */
  name: string;
  value: number;
  /** Unit of `value`, e.g. `µs`, `ms`, `MB`, `×`, `calls`. */
  unit: string;
  /** The target from issue 7, when there is one. */
  target?: Target;
  /** Whether the target is met (absent without a target). */
  met?: boolean;
  /** How to read the figure, or why a target is missed. */
  note?: string;
}

/** A target a figure is held to. */
export interface Target {
  op: '<' | '<=' | '=';
  value: number;
}

/** A figure with `met` decided from its target. */
export function figure(group: string, name: string, value: number, unit: string, target?: Target, note?: string): Figure {
  const met = target === undefined ? undefined : target.op === '<' ? value < target.value : target.op === '<=' ? value <= target.value : value === target.value;
  return { group, name, value, unit, ...(target === undefined ? {} : { target, met }), ...(note === undefined ? {} : { note }) };
}
