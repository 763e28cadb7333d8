import { meets, type Figure, type Target } from './figure.js';
import { round } from './stats.js';

/**
 * Figures that travel between machines: a time figure divided by a reference measured in the
 * same run, on the same machine under the same load. A machine half as fast (or twice as busy)
 * doubles both, so the ratio stays where the code put it and a target set on it holds anywhere.
 * The references:
 *
 * - `node -e 0` for whole-process start-up figures (what node itself costs before idflow runs);
 * - the plain loop (engine/plain-loop.ts) for the engine's figures.
 */

/** A reference measured in this run. */
export interface Reference {
  /** How the table names it, e.g. `node -e 0`. */
  name: string;
  /** Its measured value, in the unit of the figures divided by it. */
  value: number;
  unit: string;
}

/**
 * A time figure shown with its ratio to `reference`. `target`, when given, is on the ratio
 * (`on: 'relative'`): the absolute value is printed for information only.
 */
export function relativeFigure(group: string, name: string, value: number, unit: string, reference: Reference, target?: Omit<Target, 'on'>, note?: string): Figure {
  if (!(reference.value > 0)) throw new Error(`${name}: the reference ${reference.name} measured ${reference.value} ${reference.unit}`);
  const ratio = round(value / reference.value, ratioDigits(value / reference.value));
  const relative = { value: ratio, of: reference.name };
  const onRatio = target === undefined ? undefined : { ...target, on: 'relative' as const };
  return {
    group,
    name,
    value,
    unit,
    relative,
    ...(onRatio === undefined ? {} : { target: onRatio, met: meets(ratio, onRatio) }),
    ...(note === undefined ? {} : { note }),
  };
}

/** Two significant decimals for small ratios, fewer for large ones. */
function ratioDigits(ratio: number): number {
  return ratio >= 100 ? 0 : ratio >= 10 ? 1 : 2;
}

/** A figure's ratio as the table shows it, e.g. `2.41 × node -e 0`. */
export function relativeText(figure: Figure): string {
  return figure.relative === undefined ? '' : `${figure.relative.value} × ${figure.relative.of}`;
}
