import type { LocalProblem } from '../diagnostics/problem.js';
import { didYouMean } from '../diagnostics/suggest.js';
import { FORBIDDEN_SEGMENTS, forbiddenMessage } from '../language/reference-check.js';
import { arityProblem, BLOCK_HELPERS, HELPER_NAMES, HELPERS } from './helpers.js';
import { parseTemplate, type TemplateSyntaxError } from './parse-template.js';
import { isLiteral, type BlockNode, type CallNode, type ExpressionNode, type HashNode, type HbsLocation, type MustacheNode, type PathNode, type ProgramNode, type StatementNode } from './template-ast.js';

/**
 * One walk over a parsed template that everything else builds on: which paths it reads and
 * from where, which helpers it calls, whether it is a single expression, and the problems
 * that need no knowledge of the workflow (unknown helpers, wrong arity, partials, blocked
 * property names). The static checker adds the workflow's scope on top; the renderer refuses
 * a template with any of these problems before it is compiled, and uses the same walk to
 * explain a failed render.
 */

/** How a path is used: printed by a mustache (`{{x}}`, must exist) or passed to a helper or block. */
export type PathRole = 'value' | 'argument';

/** One path expression in the template. */
export interface PathUse {
  node: PathNode;
  /**
   * `root`: reads the run data at {@link PathUse.segments}; `local`: relative to the item or
   * context of an enclosing `#each`/`#with`, or a block parameter (cannot be checked
   * statically); `data`: an `@index`-style variable of an enclosing `#each`.
   */
  scope: 'root' | 'local' | 'data';
  /** For `root`: the segments from the top of the run data (`['steps', 'lookup', 'output']`). */
  segments: string[];
  role: PathRole;
  /** The innermost statement holding the path (quoted in messages). */
  statement: StatementNode;
  /** For `local`: the block whose context the path is relative to. */
  block?: BlockNode;
}

/** One helper call. */
export interface CallUse {
  node: CallNode;
  name: string;
  statement: StatementNode;
}

/** Everything {@link analyzeTemplate} learns about a template. */
export interface TemplateAnalysis {
  text: string;
  ast: ProgramNode;
  /** The mustache when the whole template is exactly one `{{expression}}` (white space around allowed). */
  single: MustacheNode | undefined;
  paths: PathUse[];
  calls: CallUse[];
  /** Problems independent of the workflow, with 1-based line and column inside the text. */
  problems: LocalProblem[];
}

/** The data variables `#each` provides (besides `@root`, which is the run data). */
const EACH_DATA_VARIABLES: ReadonlySet<string> = new Set(['index', 'key', 'first', 'last']);

interface Context {
  /** The `#each`/`#with` block that set this context; absent for the run data itself. */
  block?: BlockNode;
  /** `as |x i|` names visible in this context. */
  blockParams: readonly string[];
}

/** Parses and walks a template; a syntax error is returned, not thrown. */
export function analyzeTemplate(text: string): { ok: true; analysis: TemplateAnalysis } | { ok: false; error: TemplateSyntaxError } {
  const parsed = parseTemplate(text);
  if (!parsed.ok) return parsed;
  const single = singleExpression(parsed.ast);
  const walker = new Walker(single);
  walker.program(parsed.ast, [{ blockParams: [] }]);
  walker.problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { ok: true, analysis: { text, ast: parsed.ast, single, paths: walker.paths, calls: walker.calls, problems: walker.problems } };
}

/** The one mustache of a template that is exactly `{{expression}}`, give or take white space. */
function singleExpression(ast: ProgramNode): MustacheNode | undefined {
  const meaningful = ast.body.filter((s) => !(s.type === 'ContentStatement' && s.value.trim() === ''));
  const [only] = meaningful;
  return meaningful.length === 1 && only?.type === 'MustacheStatement' ? only : undefined;
}

/** True when a mustache or block calls a helper rather than printing or iterating a path. */
export function isHelperCall(node: MustacheNode | BlockNode): boolean {
  if (node.path.type !== 'PathExpression') return false;
  if (node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0) return true;
  return isSimpleName(node.path) && (HELPERS.has(node.path.original) || BLOCK_HELPERS.has(node.path.original));
}

function isSimpleName(path: PathNode): boolean {
  return !path.data && path.depth === 0 && path.parts.length === 1 && path.original === path.parts[0];
}

class Walker {
  readonly paths: PathUse[] = [];
  readonly calls: CallUse[] = [];
  readonly problems: LocalProblem[] = [];

  constructor(private readonly single: MustacheNode | undefined) {}

  program(program: ProgramNode | undefined, contexts: readonly Context[]): void {
    for (const statement of program?.body ?? []) this.statement(statement, contexts);
  }

  private statement(node: StatementNode, contexts: readonly Context[]): void {
    switch (node.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'PartialStatement':
      case 'PartialBlockStatement':
        this.problem(node.loc, 'template-unsupported', 'partials ({{> name}}) are not supported in idflow templates');
        return;
      case 'Decorator':
      case 'DecoratorBlock':
        this.problem(node.loc, 'template-unsupported', 'decorators ({{* name}}) are not supported in idflow templates');
        return;
      case 'MustacheStatement':
        this.mustache(node, contexts);
        return;
      case 'BlockStatement':
        this.block(node, contexts);
        return;
    }
  }

  private mustache(node: MustacheNode, contexts: readonly Context[]): void {
    if (isLiteral(node.path)) {
      if (node.params.length > 0) this.problem(node.path.loc, 'unknown-helper', `${JSON.stringify(literalText(node.path))} is not a helper`);
      else if (node !== this.single) {
        this.problem(node.loc, 'template-literal', `a literal such as {{${literalText(node.path)}}} only makes sense as the whole value; inside text, write it out directly`);
      }
      return;
    }
    if (!isHelperCall(node)) {
      this.path(node.path, 'value', node, contexts);
      return;
    }
    const name = node.path.original;
    if (BLOCK_HELPERS.has(name)) {
      this.problem(node.path.loc, 'block-helper-as-value', `"${name}" is a block helper: write {{#${name} …}}…{{/${name}}}`);
    } else {
      this.call(node, name, node, contexts);
    }
  }

  private block(node: BlockNode, contexts: readonly Context[]): void {
    const name = node.path.original;
    const builtin = BLOCK_HELPERS.get(name);
    let inner: readonly Context[] = contexts;
    if (builtin !== undefined) {
      this.calls.push({ node, name, statement: node });
      const arity = arityProblem(`#${name}`, 1, 1, node.params.length);
      if (arity !== undefined) this.problem(node.path.loc, 'helper-arity', arity);
      for (const pair of node.hash?.pairs ?? []) {
        if (!builtin.hash.includes(pair.key)) this.problem(pair.loc, 'helper-hash', `{{#${name}}} takes no named argument "${pair.key}"${builtin.hash.length > 0 ? ` (only ${builtin.hash.join(', ')})` : ''}`);
      }
      this.arguments(node.params, node.hash, node, contexts);
      if (name === 'each' || name === 'with') inner = [...contexts, { block: node, blockParams: node.program?.blockParams ?? [] }];
    } else {
      if (HELPERS.has(name)) {
        this.problem(node.path.loc, 'not-a-block-helper', `"${name}" is not a block helper: use it inside one, e.g. {{#if (${name} …)}}…{{/if}}`);
      } else {
        const suggestion = didYouMean(name, BLOCK_HELPERS.keys());
        this.problem(node.path.loc, 'unknown-helper', `unknown block helper "${name}": blocks are {{#if}}, {{#unless}}, {{#each}} and {{#with}}`, suggestion);
      }
      this.arguments(node.params, node.hash, node, contexts);
      // Walk the body as a context of its own so that one mistake does not cascade.
      inner = [...contexts, { block: node, blockParams: node.program?.blockParams ?? [] }];
    }
    this.program(node.program, inner);
    this.program(node.inverse, contexts);
  }

  private call(node: CallNode, name: string, statement: StatementNode, contexts: readonly Context[]): void {
    const spec = HELPERS.get(name);
    if (spec === undefined) {
      const loc = node.path.loc;
      if (BLOCK_HELPERS.has(name)) this.problem(loc, 'block-helper-as-value', `"${name}" is a block helper and cannot be used inside an expression`);
      else this.problem(loc, 'unknown-helper', `unknown helper "${name}"`, didYouMean(name, HELPER_NAMES));
    } else {
      this.calls.push({ node, name, statement });
      const arity = arityProblem(name, spec.min, spec.max, node.params.length);
      if (arity !== undefined) this.problem(node.path.loc, 'helper-arity', arity);
      if ((node.hash?.pairs.length ?? 0) > 0) this.problem(node.hash?.loc ?? node.loc, 'helper-hash', `"${name}" takes no named arguments (key=value)`);
      if (name === 'secret' && node.params.length >= 1 && node.params[0]?.type !== 'StringLiteral') {
        this.problem(node.params[0]?.loc ?? node.loc, 'secret-not-literal', '"secret" needs the secret\'s name as a quoted string, e.g. {{secret "smtp_password"}}');
      }
    }
    this.arguments(node.params, node.hash, statement, contexts);
  }

  private arguments(params: readonly ExpressionNode[], hash: HashNode | undefined, statement: StatementNode, contexts: readonly Context[]): void {
    for (const param of [...params, ...(hash?.pairs.map((p) => p.value) ?? [])]) {
      if (param.type === 'PathExpression') this.path(param, 'argument', statement, contexts);
      else if (param.type === 'SubExpression') this.call(param, param.path.original, statement, contexts);
    }
  }

  private path(node: PathNode, role: PathRole, statement: StatementNode, contexts: readonly Context[]): void {
    const forbidden = node.parts.find((part) => FORBIDDEN_SEGMENTS.has(part));
    if (forbidden !== undefined) {
      this.problem(node.loc, 'forbidden-property', forbiddenMessage(forbidden));
    }
    const base = { node, role, statement };
    if (node.data) {
      const [name = '', ...rest] = node.parts;
      if (name === 'root') this.paths.push({ ...base, scope: 'root', segments: rest });
      else if (!EACH_DATA_VARIABLES.has(name)) this.problem(node.loc, 'unknown-data-variable', `@${name} is not a data variable (there are @root, and inside {{#each}} @index, @key, @first and @last)`);
      else if (!contexts.some((c) => c.block?.path.original === 'each')) this.problem(node.loc, 'data-variable-outside-each', `@${name} is only available inside {{#each}}`);
      else this.paths.push({ ...base, scope: 'data', segments: node.parts });
      return;
    }
    if (node.depth > 0) {
      const target = contexts.length - 1 - node.depth;
      const context = contexts[target];
      if (context === undefined) this.problem(node.loc, 'path-above-root', `"${node.original}" goes above the top of the data: there are only ${contexts.length - 1} enclosing {{#each}}/{{#with}} blocks`);
      else if (target === 0) this.paths.push({ ...base, scope: 'root', segments: node.parts });
      else this.paths.push({ ...base, scope: 'local', segments: node.parts, ...(context.block ? { block: context.block } : {}) });
      return;
    }
    const scoped = /^(this\b|\.\/)/.test(node.original);
    const first = node.parts[0];
    const owner = scoped || first === undefined ? undefined : [...contexts].reverse().find((c) => c.blockParams.includes(first));
    const current = contexts.at(-1);
    if (owner !== undefined) this.paths.push({ ...base, scope: 'local', segments: node.parts, ...(owner.block ? { block: owner.block } : {}) });
    else if (current?.block === undefined) this.paths.push({ ...base, scope: 'root', segments: node.parts });
    else this.paths.push({ ...base, scope: 'local', segments: node.parts, block: current.block });
  }

  private problem(loc: HbsLocation, code: string, message: string, suggestion?: string): void {
    const length = loc.end.line === loc.start.line ? Math.max(1, loc.end.column - loc.start.column) : undefined;
    this.problems.push({
      code,
      message,
      severity: 'error',
      line: loc.start.line,
      column: loc.start.column + 1,
      ...(length === undefined ? {} : { length }),
      ...(suggestion === undefined ? {} : { suggestion }),
    });
  }
}

function literalText(node: { type: string } & Partial<{ original: unknown }>): string {
  if (node.type === 'NullLiteral') return 'null';
  if (node.type === 'UndefinedLiteral') return 'undefined';
  return node.type === 'StringLiteral' ? JSON.stringify(node.original) : String(node.original);
}
