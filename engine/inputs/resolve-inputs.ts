import type { Problem } from '../diagnostics/problem.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { ValueDeclaration } from '../language/types.js';
import { childPointer } from '../diagnostics/json-pointer.js';
import { describeValue } from '../loader/schema-issues.js';
import type { SourceLocation } from '../loader/source-map.js';
import { checkValue } from './check-value.js';
import { coerceString } from './coerce.js';

/** Where given values came from, so that problems can point at them. */
export interface InputOrigin {
  /** The file the values were read from, or a label such as `--input` for the command line. */
  file: string;
  /**
   * The position of a given value by its pointer in the given object (`/user_identifier`,
   * `/emails/2`); `""` with `map` is the object itself. Undefined when there is no position.
   */
  locate?(pointer: string, at?: 'value' | 'key' | 'map'): SourceLocation | undefined;
}

/** Options of {@link resolveInputs}. */
export interface ResolveInputsOptions {
  /**
   * Read string values as their declared type (`"true"` → true, `"3"` → 3, JSON or comma lists
   * for arrays, JSON for objects): for values typed on the command line. See `coerceString`.
   */
  coerceStrings?: boolean;
  /** Where the values came from (default: the command line, `--input`, without positions). */
  origin?: string | InputOrigin;
  /** What the values are, for messages: workflow inputs (default) or organisation variables. */
  kind?: 'input' | 'var';
  /** Given names that are not declared: an error (default for inputs) or ignored (default for vars). */
  unknownNames?: 'error' | 'ignore';
  /** How to tell the user to give a missing required value. */
  missingHint?: (name: string) => string;
}

/** Values with defaults filled, and every problem with them. */
export interface ResolvedValues {
  /** Every declared name: the given value, else the default, else `null`. */
  values: Record<string, unknown>;
  problems: Problem[];
}

/**
 * Checks given values against their declarations and fills the rest: unknown names (with "did
 * you mean"), missing required values, type (after coercion from strings, when asked), `enum`,
 * `format`; defaults are filled and declared-but-absent optional values are `null`, so that
 * templates and conditions can test them. A given `null` counts as absent.
 */
export function resolveInputs(declarations: Readonly<Record<string, ValueDeclaration>>, given: Readonly<Record<string, unknown>>, options: ResolveInputsOptions = {}): ResolvedValues {
  const kind = options.kind ?? 'input';
  const origin: InputOrigin = typeof options.origin === 'string' ? { file: options.origin } : (options.origin ?? { file: '--input' });
  const noun = kind === 'input' ? 'input' : 'variable';
  const problems: Problem[] = [];
  const values: Record<string, unknown> = {};
  const declared = Object.keys(declarations);

  const problem = (pointer: string, at: 'value' | 'key' | 'map', code: string, message: string, suggestion?: string): void => {
    const place = origin.locate?.(pointer, at);
    problems.push({
      file: origin.file,
      line: place?.line ?? 0,
      column: place?.column ?? 0,
      ...(place ? { length: place.length } : {}),
      path: pointer,
      code,
      message,
      severity: 'error',
      ...(suggestion === undefined ? {} : { suggestion }),
    });
  };

  if ((options.unknownNames ?? (kind === 'input' ? 'error' : 'ignore')) === 'error') {
    for (const name of Object.keys(given)) {
      if (Object.hasOwn(declarations, name)) continue;
      const suggestion = didYouMean(name, declared) ?? (declared.length === 0 ? `This workflow takes no ${noun}s` : `This workflow takes: ${declared.join(', ')}`);
      problem(childPointer('', name), 'key', `unknown-${kind}`, `unknown ${noun} "${name}"`, suggestion);
    }
  }

  for (const [name, declaration] of Object.entries(declarations)) {
    const label = `${noun} "${name}"`;
    const pointer = childPointer('', name);
    let value = Object.hasOwn(given, name) ? given[name] : undefined;
    if (value === undefined || value === null) {
      if (declaration.default !== undefined) values[name] = structuredClone(declaration.default);
      else if (declaration.required) {
        const hint = options.missingHint?.(name) ?? (kind === 'input' ? `Give it with --input ${name}=<value> or in an inputs file` : `Set it under vars: in idflow.config.yaml`);
        problem('', 'map', `missing-${kind}`, `${label} is required${declaration.description ? ` (${declaration.description})` : ''} but was not given`, hint);
        values[name] = null;
      } else values[name] = null;
      continue;
    }
    if (options.coerceStrings && typeof value === 'string' && declaration.type !== 'string') {
      const coerced = coerceString(value, declaration);
      if (!coerced.ok) {
        problem(pointer, 'value', 'wrong-type', `${label} ${coerced.message}; got ${declaration.secret ? 'a secret value' : describeValue(value)}`);
        values[name] = value;
        continue;
      }
      value = coerced.value;
    }
    for (const issue of checkValue(value, declaration, label)) problem(pointer + issue.path, 'value', issue.code, issue.message, issue.suggestion);
    values[name] = value;
  }
  return { values, problems };
}

/**
 * Resolves a workflow's organisation variables from the config file's `vars:` (values as
 * written in YAML, no string coercion), else the declared defaults, else `null`. Variables the
 * config defines but this workflow does not declare are ignored: one config serves many
 * templates.
 */
export function resolveVars(declarations: Readonly<Record<string, ValueDeclaration>>, configVars: Readonly<Record<string, unknown>>, origin?: string | InputOrigin): ResolvedValues {
  return resolveInputs(declarations, configVars, { kind: 'var', origin: origin ?? 'idflow.config.yaml', unknownNames: 'ignore' });
}
