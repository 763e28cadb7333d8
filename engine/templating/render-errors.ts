import { TemplateError } from './template-error.js';
import { HelperInputError } from './helpers.js';
import { describeMiss, resolvePath, type PathMiss } from './resolve-path.js';
import type { PathUse, TemplateAnalysis } from './analyze-template.js';
import type { BlockNode, ExpressionNode, HbsLocation, StatementNode } from './template-ast.js';

/**
 * Turning whatever a render threw into a {@link TemplateError} that names the template's
 * location, quotes the failing expression and says what is missing. Handlebars' own errors
 * are terse (`"emial" not defined in [object Object]`) or, for a missing object along a path,
 * a bare `TypeError` without a position; the failing path is found again in the template's
 * analysis and re-read from the data to explain exactly where it stopped.
 */

/** A path read nothing (thrown by the single-expression evaluator). */
export class PathReadError extends Error {
  constructor(readonly use: PathUse, readonly miss: PathMiss) {
    super('path read nothing');
    this.name = 'PathReadError';
  }
}

/** Handlebars refused to read a property because it is not an own property (it renders it as ""). */
export class DeniedPropertyError extends Error {
  constructor(readonly property: string) {
    super(`"${property}" is not an own property`);
    this.name = 'DeniedPropertyError';
  }
}

/** How long a quoted template may be before it is shortened. */
const QUOTE_LIMIT = 120;

/** Converts anything a render threw into a TemplateError. */
export function toTemplateError(error: unknown, analysis: TemplateAnalysis, data: unknown, where: string | undefined): TemplateError {
  if (error instanceof TemplateError) return error;
  if (error instanceof PathReadError) return pathError(analysis, error.use, error.miss, where);
  if (error instanceof HelperInputError) return helperError(error, analysis, data, where);
  if (error instanceof DeniedPropertyError) return deniedError(error.property, analysis, data, where);
  const located = error as { lineNumber?: unknown; column?: unknown; message?: unknown };
  const message = typeof located.message === 'string' ? located.message : String(error);
  // Handlebars' strict mode: `"x" not defined in …` at the position of the path.
  if (typeof located.lineNumber === 'number' && typeof located.column === 'number') {
    const use = analysis.paths.find((p) => p.node.loc.start.line === located.lineNumber && p.node.loc.start.column === located.column);
    if (use !== undefined) return explainUse(analysis, use, data, where, error);
    return build(analysis, where, undefined, message.replace(/ - \d+:\d+$/, ''), error);
  }
  // A missing object along a path: `Cannot read properties of undefined (reading 'x')`,
  // or a path into text or a number: `Cannot use 'in' operator to search for 'x' in …`.
  const segment = /\(reading '([^']*)'\)|search for '([^']*)'/.exec(message);
  if (error instanceof TypeError && segment !== null) {
    const name = segment[1] ?? segment[2] ?? '';
    for (const use of analysis.paths) {
      if (use.scope !== 'root') continue;
      const read = resolvePath(data, use.segments);
      if (!read.found && (use.segments[read.miss.index] === name || use.segments[read.miss.index + 1] === name)) return pathError(analysis, use, read.miss, where, error);
    }
    const local = analysis.paths.find((p) => p.scope === 'local' && p.segments.includes(name));
    if (local !== undefined) return localError(analysis, local, where, 'cannot be read', error);
  }
  return build(analysis, where, undefined, message.replace(/ - \d+:\d+$/, ''), error);
}

function deniedError(property: string, analysis: TemplateAnalysis, data: unknown, where: string | undefined): TemplateError {
  for (const use of analysis.paths) {
    if (use.scope !== 'root' || use.role !== 'value' || !use.segments.includes(property)) continue;
    const read = resolvePath(data, use.segments);
    if (!read.found && use.segments[read.miss.index] === property) return pathError(analysis, use, read.miss, where);
  }
  const local = analysis.paths.find((p) => p.scope === 'local' && p.role === 'value' && p.segments.includes(property));
  if (local !== undefined) return localError(analysis, local, where, 'is not defined', undefined);
  return build(analysis, where, undefined, `"${property}" is not defined`, undefined);
}

/** The error for a template that cannot be rendered at all (syntax, unknown helper, …). */
export function invalidTemplateError(text: string, where: string | undefined, message: string, position: { line?: number; column?: number }): TemplateError {
  const at = position.line === undefined ? '' : ` (line ${position.line}, column ${position.column ?? 1})`;
  return new TemplateError(`${prefix(where)}${quote(text)}: ${message}${at}`, { ...(where === undefined ? {} : { where }), ...position });
}

function explainUse(analysis: TemplateAnalysis, use: PathUse, data: unknown, where: string | undefined, cause: unknown): TemplateError {
  if (use.scope === 'root') {
    const read = resolvePath(data, use.segments);
    if (!read.found) return pathError(analysis, use, read.miss, where, cause);
    return build(analysis, where, use.statement, `"${use.node.original}" has no value`, cause, use.node.loc);
  }
  if (use.scope === 'data') return build(analysis, where, use.statement, `@${use.segments.join('.')} has no value here`, cause, use.node.loc);
  return localError(analysis, use, where, 'is not defined', cause);
}

function pathError(analysis: TemplateAnalysis, use: PathUse, miss: PathMiss, where: string | undefined, cause?: unknown): TemplateError {
  return build(analysis, where, use.statement, describeMiss(use.segments, miss), cause, use.node.loc);
}

function localError(analysis: TemplateAnalysis, use: PathUse, where: string | undefined, what: string, cause: unknown): TemplateError {
  return build(analysis, where, use.statement, `"${use.node.original}" ${what} in ${blockContext(analysis.text, use.block)}`, cause, use.node.loc);
}

/** `the current item of {{#each …}}` / `the context of {{#with …}}`. */
function blockContext(text: string, block: BlockNode | undefined): string {
  if (block === undefined) return 'the enclosing block';
  return `${block.path.original === 'with' ? 'the context of' : 'the current item of'} ${openTag(text, block)}`;
}

function helperError(error: HelperInputError, analysis: TemplateAnalysis, data: unknown, where: string | undefined): TemplateError {
  const loc = error.loc;
  const call = loc === undefined ? undefined : analysis.calls.find((c) => c.name === error.helper && samePosition(c.node.loc, loc));
  if (call === undefined) return build(analysis, where, undefined, error.message, error);
  if (!error.missing || error.argIndex === undefined) return build(analysis, where, call.statement, error.message, error, call.node.loc);
  const param = call.node.params[error.argIndex];
  const because = param === undefined ? 'it has none' : whyMissing(param, analysis, data);
  return build(analysis, where, call.statement, `"${error.helper}" needs a value for its argument ${error.argIndex + 1}, but ${because}`, error, param?.loc ?? call.node.loc);
}

function whyMissing(param: ExpressionNode, analysis: TemplateAnalysis, data: unknown): string {
  if (param.type === 'SubExpression') return `(${param.path.original} …) gave nothing`;
  if (param.type !== 'PathExpression') return 'it is undefined';
  const use = analysis.paths.find((p) => p.node === param);
  if (use?.scope === 'root') {
    const read = resolvePath(data, use.segments);
    return read.found ? `"${param.original}" has no value` : describeMiss(use.segments, read.miss);
  }
  return `"${param.original}" has no value in ${blockContext(analysis.text, use?.block)}`;
}

function build(analysis: TemplateAnalysis, where: string | undefined, statement: StatementNode | undefined, detail: string, cause: unknown, loc?: HbsLocation): TemplateError {
  const expression = statement === undefined ? analysis.text : statementSource(analysis.text, statement);
  return new TemplateError(`${prefix(where)}${quote(expression)}: ${detail}`, {
    ...(where === undefined ? {} : { where }),
    expression,
    ...(loc === undefined ? {} : { line: loc.start.line, column: loc.start.column + 1 }),
  }, { cause });
}

function prefix(where: string | undefined): string {
  return where === undefined || where === '' ? '' : `${where}: `;
}

function quote(text: string): string {
  return JSON.stringify(text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text);
}

function samePosition(a: HbsLocation, b: HbsLocation): boolean {
  return a.start.line === b.start.line && a.start.column === b.start.column;
}

/** The source of a statement: a whole `{{…}}`, or only the opening tag of a block. */
function statementSource(text: string, statement: StatementNode): string {
  if (statement.type === 'BlockStatement') return openTag(text, statement);
  return text.slice(offsetOf(text, statement.loc.start), offsetOf(text, statement.loc.end));
}

/** `{{#each steps.groups.output.groups}}`: a block's opening tag, up to its first `}}` outside quotes. */
function openTag(text: string, block: BlockNode): string {
  const start = offsetOf(text, block.loc.start);
  let quoteChar: string | undefined;
  for (let i = start; i < text.length - 1; i++) {
    const c = text[i];
    if (quoteChar !== undefined) {
      if (c === quoteChar) quoteChar = undefined;
    } else if (c === '"' || c === "'") {
      quoteChar = c;
    } else if (c === '}' && text[i + 1] === '}') {
      return text.slice(start, i + 2);
    }
  }
  return text.slice(start);
}

/** The string offset of a Handlebars position (line 1-based, column 0-based). */
function offsetOf(text: string, position: { line: number; column: number }): number {
  let offset = 0;
  for (let line = 1; line < position.line; line++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + position.column);
}
