/**
 * The Handlebars syntax tree, typed as the discriminated union the parser really produces
 * (the shipped typings declare every node as a plain `Node` with `type: string`, which cannot
 * be narrowed). Positions are Handlebars' own: `line` 1-based, `column` 0-based.
 */

/** A position in the template text: `line` 1-based, `column` 0-based (as Handlebars counts). */
export interface HbsPosition {
  line: number;
  column: number;
}

/** Where a node starts and ends in the template text. */
export interface HbsLocation {
  start: HbsPosition;
  end: HbsPosition;
}

/** `inputs.reason`, `this`, `../x`, `@root.steps`, `@index`. */
export interface PathNode {
  type: 'PathExpression';
  /** True for `@…` data variables. */
  data: boolean;
  /** How many `../` precede the path. */
  depth: number;
  /** The segments, without `this`/`.`/`..` (so `this` alone has none). */
  parts: string[];
  original: string;
  loc: HbsLocation;
}

/** `"text"` */
export interface StringLiteralNode { type: 'StringLiteral'; value: string; original: string; loc: HbsLocation }
/** `42` */
export interface NumberLiteralNode { type: 'NumberLiteral'; value: number; original: number; loc: HbsLocation }
/** `true` / `false` */
export interface BooleanLiteralNode { type: 'BooleanLiteral'; value: boolean; original: boolean; loc: HbsLocation }
/** `undefined` */
export interface UndefinedLiteralNode { type: 'UndefinedLiteral'; loc: HbsLocation }
/** `null` */
export interface NullLiteralNode { type: 'NullLiteral'; loc: HbsLocation }

/** A literal written in the template: `"text"`, `42`, `true`, `null`, `undefined`. */
export type LiteralNode = StringLiteralNode | NumberLiteralNode | BooleanLiteralNode | UndefinedLiteralNode | NullLiteralNode;

/** `(helper arg …)`: a helper call whose result is an argument of another call. */
export interface SubExpressionNode {
  type: 'SubExpression';
  path: PathNode;
  params: ExpressionNode[];
  hash?: HashNode;
  loc: HbsLocation;
}

/** What may appear as an argument. */
export type ExpressionNode = PathNode | SubExpressionNode | LiteralNode;

/** `key=value` arguments. */
export interface HashNode {
  type: 'Hash';
  pairs: Array<{ type: 'HashPair'; key: string; value: ExpressionNode; loc: HbsLocation }>;
  loc: HbsLocation;
}

/** `{{…}}` / `{{{…}}}`, or a decorator `{{*…}}` (which idflow refuses). */
export interface MustacheNode {
  type: 'MustacheStatement' | 'Decorator';
  path: PathNode | LiteralNode;
  params: ExpressionNode[];
  hash?: HashNode;
  loc: HbsLocation;
}

/** `{{#name …}}…{{else}}…{{/name}}` (or a decorator block, which idflow refuses). */
export interface BlockNode {
  type: 'BlockStatement' | 'DecoratorBlock';
  path: PathNode;
  params: ExpressionNode[];
  hash?: HashNode;
  program?: ProgramNode;
  inverse?: ProgramNode;
  loc: HbsLocation;
}

/** `{{> name}}` and `{{#> name}}…{{/name}}`: partials, which idflow refuses. */
export interface PartialNode {
  type: 'PartialStatement' | 'PartialBlockStatement';
  name: PathNode | SubExpressionNode;
  params: ExpressionNode[];
  hash?: HashNode;
  program?: ProgramNode;
  loc: HbsLocation;
}

/** Literal text between expressions. */
export interface ContentNode { type: 'ContentStatement'; value: string; original: string; loc: HbsLocation }

/** `{{! … }}` */
export interface CommentNode { type: 'CommentStatement'; value: string; loc: HbsLocation }

/** One statement of a program. */
export type StatementNode = MustacheNode | BlockNode | PartialNode | ContentNode | CommentNode;

/** A template, or the body of a block. `blockParams` are the `as |x i|` names of its block. */
export interface ProgramNode {
  type: 'Program';
  body: StatementNode[];
  blockParams?: string[];
  loc?: HbsLocation;
}

/** A helper call as the syntax tree holds it: a mustache with a helper, a block, or a sub-expression. */
export type CallNode = MustacheNode | BlockNode | SubExpressionNode;

/** The value a literal node stands for. */
export function literalValue(node: LiteralNode): string | number | boolean | null | undefined {
  switch (node.type) {
    case 'StringLiteral':
    case 'NumberLiteral':
    case 'BooleanLiteral':
      return node.value;
    case 'NullLiteral':
      return null;
    case 'UndefinedLiteral':
      return undefined;
  }
}

/** True for the literal node types. */
export function isLiteral(node: { type: string }): node is LiteralNode {
  return node.type === 'StringLiteral' || node.type === 'NumberLiteral' || node.type === 'BooleanLiteral' || node.type === 'UndefinedLiteral' || node.type === 'NullLiteral';
}
