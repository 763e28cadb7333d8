import { isHelperCall, type TemplateAnalysis } from './analyze-template.js';
import { callHelper, HelperInputError, HELPERS, type HelperCall } from './helpers.js';
import { PathReadError } from './render-errors.js';
import { resolvePath } from './resolve-path.js';
import { isLiteral, literalValue, type ExpressionNode, type HbsLocation, type MustacheNode, type PathNode } from './template-ast.js';

/**
 * Evaluates a template that is exactly one `{{expression}}` to the value itself rather than
 * to text, so `"{{steps.count.output.n}}"` gives the number and `"{{steps.x.output.groups}}"`
 * the list. It follows what a Handlebars render of the same expression does (same helpers,
 * same own-property reads, same strictness): a printed path must exist all the way; a helper
 * argument may lack only its last segment (the helper then decides, as `default` does), and
 * errors are the same {@link PathReadError}/{@link HelperInputError} a string render produces,
 * so both end in the same message.
 */
export function evaluateSingle(analysis: TemplateAnalysis, node: MustacheNode, data: unknown, call: HelperCall): unknown {
  const evaluator = new SingleEvaluator(analysis, data, call);
  if (isLiteral(node.path)) return literalValue(node.path);
  if (isHelperCall(node)) return evaluator.call(node.path.original, node.params, node.loc);
  return evaluator.path(node.path, 'value');
}

class SingleEvaluator {
  constructor(
    private readonly analysis: TemplateAnalysis,
    private readonly data: unknown,
    private readonly helperCall: HelperCall,
  ) {}

  call(name: string, params: readonly ExpressionNode[], loc: HbsLocation): unknown {
    const spec = HELPERS.get(name);
    // The analysis refused unknown helpers before this point; this guards the invariant.
    if (spec === undefined) throw new HelperInputError(name, `unknown helper "${name}"`);
    const args = params.map((param) => this.argument(param));
    try {
      return callHelper(spec, args, this.helperCall);
    } catch (error) {
      if (error instanceof HelperInputError) error.loc ??= loc;
      throw error;
    }
  }

  path(node: PathNode, role: 'value' | 'argument'): unknown {
    const use = this.analysis.paths.find((p) => p.node === node);
    // A single expression sits at the top of the template, so every path reads the run data.
    if (use === undefined || use.scope !== 'root') throw new HelperInputError('', `"${node.original}" cannot be read here`);
    const read = resolvePath(this.data, use.segments);
    if (read.found) return read.value;
    // Like Handlebars: an argument whose last segment is absent from an existing value is
    // `undefined` for the helper; anything missing earlier on the path (or a null parent) is an error.
    const lastOfValue = read.miss.index === use.segments.length - 1 && read.miss.parent !== null && read.miss.parent !== undefined;
    if (role === 'argument' && lastOfValue) return undefined;
    throw new PathReadError(use, read.miss);
  }

  private argument(param: ExpressionNode): unknown {
    if (param.type === 'PathExpression') return this.path(param, 'argument');
    if (param.type === 'SubExpression') return this.call(param.path.original, param.params, param.loc);
    return literalValue(param);
  }
}
