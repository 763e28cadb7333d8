import type Handlebars from 'handlebars';
import type { HelperCall } from './helpers.js';
import { isKnownAfterRun, notePrinted } from '../plugin-api/known-after-run.js';

/**
 * idflow's `{{#if}}`, `{{#unless}}` and `{{#with}}`: Handlebars' own, except that an empty object
 * counts as nothing, like an empty list.
 *
 * @remarks
 * A step that returned nothing, was skipped, or failed under `continue_on_error` has `{}` as its
 * output (so that `{{default steps.x.output.field "none"}}` works whatever happened to it). To
 * Handlebars `{}` is truthy, so `{{#if steps.lock_devices.output}}…{{steps.lock_devices.output.status}}…{{/if}}`
 * took the branch for a skipped step and failed on the strict lookup inside it: the branch the
 * author meant not to run was rendered. Here `{{#if steps.x.output}}` asks "did the step return
 * something", the branch not taken is never evaluated (Handlebars renders only the program it
 * picks), and strict lookups apply to the branch that runs. `{{#each}}` already renders its
 * `{{else}}` for `{}`; `{{#unless}}` is Handlebars' `#if` with the branches swapped, so it calls
 * the `#if` registered here.
 */

/** The parts of a block helper's options these helpers use. */
interface BlockOptions {
  fn: (context: unknown, options?: unknown) => string;
  inverse: (context: unknown, options?: unknown) => string;
  hash: Record<string, unknown>;
}

type BlockHelper = (this: unknown, value: unknown, options: BlockOptions) => string;

/** True for `{}`: a plain object without own keys (what a step that returned nothing shows). */
export function isEmptyObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === null) && Object.keys(value).length === 0;
}

/**
 * Replaces `if` and `with` of an isolated Handlebars environment with versions that treat an
 * empty object as empty, and `with` and `each` with versions that tell the render's taint when
 * their body runs over a value that holds a secret (see secret-taint.ts); everything else
 * (`includeZero`, block parameters, `@root`, `@index`, the arity check) stays Handlebars' own,
 * because the originals do the work.
 *
 * @param currentCall - the helper facts of the render in progress.
 */
export function useIdflowBlockHelpers(hb: typeof Handlebars, currentCall: () => HelperCall): void {
  const helpers = hb.helpers as Record<string, BlockHelper | undefined>;
  const originalIf = helpers['if'];
  const originalWith = helpers['with'];
  const originalEach = helpers['each'];
  if (originalIf === undefined || originalWith === undefined || originalEach === undefined) throw new Error('Handlebars has no built-in #if, #with or #each to extend');
  const overTainted = (value: unknown, body: () => string): string => {
    const taint = currentCall().taint;
    return taint === undefined ? body() : taint.inBlock(value, body);
  };
  hb.registerHelper('if', function idflowIf(this: unknown, ...args: unknown[]): string {
    // Handlebars checks the arity from `arguments`: keep the call's shape, replace only `{}`.
    const [value] = args;
    // In a plan, a value known only after the run will be there: the branch for a value is
    // shown, and the text is known only after the run (the run decides).
    if (isKnownAfterRun(value)) notePrinted(value);
    return originalIf.apply(this, (isEmptyObject(value) ? [false, ...args.slice(1)] : args) as [unknown, BlockOptions]);
  });
  hb.registerHelper('with', function idflowWith(this: unknown, ...args: unknown[]): string {
    const [value, options] = args as [unknown, BlockOptions | undefined];
    if (args.length === 2 && options !== undefined && isEmptyObject(value)) return options.inverse(this);
    // Its fields are not known either: the text is known only after the run.
    if (options !== undefined && isKnownAfterRun(value)) {
      notePrinted(value);
      return options.inverse(this);
    }
    return overTainted(value, () => originalWith.apply(this, args as [unknown, BlockOptions]));
  });
  hb.registerHelper('each', function idflowEach(this: unknown, ...args: unknown[]): string {
    const [value, options] = args as [unknown, BlockOptions | undefined];
    // A list known only after the run has no items to show yet (not the value's own fields).
    if (options !== undefined && isKnownAfterRun(value)) {
      notePrinted(value);
      return options.inverse(this);
    }
    return overTainted(args[0], () => originalEach.apply(this, args as [unknown, BlockOptions]));
  });
}
