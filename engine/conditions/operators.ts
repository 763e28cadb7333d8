/**
 * The JSON-logic operators idflow allows in conditions, with how many arguments each takes.
 * Anything else is refused when the workflow is validated, so a typo fails at `validate`, not
 * halfway through a run. `log` is not here on purpose (it writes to the console).
 */

/** One operator: its arity and a line for the condition reference (docs/language.md). */
export interface OperatorSpec {
  min: number;
  max: number;
  summary: string;
}

const spec = (min: number, max: number, summary: string): OperatorSpec => ({ min, max, summary });

/** Every allowed operator, by name. */
export const OPERATORS: ReadonlyMap<string, OperatorSpec> = new Map([
  ['var', spec(0, 2, 'reads data by dotted path (own properties only); ["path", default] gives a default for absent values')],
  ['missing', spec(1, Infinity, 'the listed paths that are absent, null or ""')],
  ['missing_some', spec(2, 2, '[n, [paths]]: the missing paths, unless at least n are present')],
  ['if', spec(1, Infinity, '[test, then, test, then, …, else]')],
  ['?:', spec(3, 3, '[test, then, else]')],
  ['==', spec(2, 2, 'loose equality (1 == "1"); prefer ===')],
  ['===', spec(2, 2, 'strict equality')],
  ['!=', spec(2, 2, 'loose inequality')],
  ['!==', spec(2, 2, 'strict inequality')],
  ['>', spec(2, 2, 'greater than; false when either side is null or absent')],
  ['>=', spec(2, 2, 'greater or equal; false when either side is null or absent')],
  ['<', spec(2, 3, 'less than, or [a, b, c] for a < b < c; false when any side is null or absent')],
  ['<=', spec(2, 3, 'less or equal, or [a, b, c] for a <= b <= c; false when any side is null or absent')],
  ['!', spec(1, 1, 'not (false, null, 0, "" and [] are falsy)')],
  ['!!', spec(1, 1, 'truthiness as a boolean ([] is false)')],
  ['and', spec(1, Infinity, 'the first falsy argument, or the last')],
  ['or', spec(1, Infinity, 'the first truthy argument, or the last')],
  ['in', spec(2, 2, 'a is an item of list b, or a substring of text b')],
  ['cat', spec(1, Infinity, 'joins its arguments into text')],
  ['substr', spec(2, 3, '[text, start, length]; negative values count from the end')],
  ['+', spec(1, Infinity, 'sum (one argument: to a number)')],
  ['-', spec(1, 2, 'difference (one argument: negation)')],
  ['*', spec(2, Infinity, 'product')],
  ['/', spec(2, 2, 'quotient')],
  ['%', spec(2, 2, 'remainder')],
  ['min', spec(1, Infinity, 'the smallest number')],
  ['max', spec(1, Infinity, 'the largest number')],
  ['merge', spec(1, Infinity, 'joins lists into one list')],
  ['map', spec(2, 2, '[list, rule]: the rule applied to each item ("var" reads the item)')],
  ['filter', spec(2, 2, '[list, rule]: the items for which the rule is truthy')],
  ['reduce', spec(2, 3, '[list, rule, initial]: "var" reads "current" and "accumulator"')],
  ['all', spec(2, 2, '[list, rule]: true when the rule holds for every item (false for an empty list)')],
  ['some', spec(2, 2, '[list, rule]: true when the rule holds for any item')],
  ['none', spec(2, 2, '[list, rule]: true when the rule holds for no item')],
  ['starts_with', spec(2, 2, 'text a starts with text b (false unless both are text)')],
  ['ends_with', spec(2, 2, 'text a ends with text b (false unless both are text)')],
  ['lower', spec(1, 1, 'lower-cased text (anything else is returned unchanged)')],
  ['upper', spec(1, 1, 'upper-cased text (anything else is returned unchanged)')],
]);

/** Operators whose second argument is a rule applied to each item of the first. */
export const ITERATING_OPERATORS: ReadonlySet<string> = new Set(['map', 'filter', 'all', 'some', 'none', 'reduce']);

/**
 * What people coming from other languages write instead of a JSON-logic operator, and the
 * advice for it (edit distance is no help between symbols: "=" is as close to "-" as to "==").
 */
export const OPERATOR_HINTS: ReadonlyMap<string, string> = new Map([
  ['=', 'Did you mean "===" (or the loose "==")?'],
  ['eq', 'Did you mean "==="?'],
  ['equals', 'Did you mean "==="?'],
  ['<>', 'Did you mean "!=="?'],
  ['ne', 'Did you mean "!=="?'],
  ['neq', 'Did you mean "!=="?'],
  ['not', 'Did you mean "!"?'],
  ['&&', 'Did you mean "and"?'],
  ['||', 'Did you mean "or"?'],
  ['contains', 'Did you mean "in" (e.g. {"in": ["admin", {"var": "inputs.roles"}]})?'],
  ['includes', 'Did you mean "in" (e.g. {"in": ["admin", {"var": "inputs.roles"}]})?'],
  ['log', '"log" is disabled in idflow: it would write to the console'],
  ['method', '"method" does not exist in JSON-logic 2 (it could call any method of the data)'],
]);
