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
  /**
   * The figure as a ratio to a reference measured in the same run (see relative.ts), for time
   * figures whose absolute value a machine's speed decides.
   */
  relative?: Relative;
  /** The target from issue 7, when there is one: on `value`, or on `relative.value` when `target.on` is `relative`. */
  target?: Target;
  /** Whether the target is met (absent without a target). */
  met?: boolean;
  /** How to read the figure, or why a target is missed. */
  note?: string;
}

/** A figure divided by a reference measured in the same run. */
export interface Relative {
  value: number;
  /** What `value` is a multiple of, e.g. `node -e 0`, `plain-loop steps`. */
  of: string;
}

/** A target a figure is held to. */
export interface Target {
  op: '<' | '<=' | '=';
  value: number;
  /** `relative`: the target is on the figure's ratio to its reference, not on its value (absent: on the value). */
  on?: 'relative';
}

/** Whether `value` meets `target`. */
export function meets(value: number, target: Target): boolean {
  return target.op === '<' ? value < target.value : target.op === '<=' ? value <= target.value : value === target.value;
}

/** A figure with `met` decided from its target. */
export function figure(group: string, name: string, value: number, unit: string, target?: Target, note?: string): Figure {
  if (target?.on === 'relative') throw new Error(`${name}: a target on the ratio needs a reference (use relativeFigure)`);
  const met = target === undefined ? undefined : meets(value, target);
  return { group, name, value, unit, ...(target === undefined ? {} : { target, met }), ...(note === undefined ? {} : { note }) };
}
