import { handlebarsParser, type HandlebarsLexer } from './handlebars-parser.js';
import type { ProgramNode } from './template-ast.js';

/**
 * Parsing template text into a syntax tree, with syntax errors turned into a position and a
 * sentence. Handlebars' parse errors carry no position fields (only an ASCII-art frame in
 * the message), so the position is read from the parser's lexer right after the failure:
 * parsing is synchronous, so the lexer still holds the token it stopped at.
 */

/** A syntax error at a 1-based line and column of the template text. */
export interface TemplateSyntaxError {
  message: string;
  line: number;
  column: number;
  suggestion?: string;
}

/** The outcome of {@link parseTemplate}. */
export type ParseResult = { ok: true; ast: ProgramNode } | { ok: false; error: TemplateSyntaxError };

/** What the jison token names mean to someone writing a template. */
const TOKEN_WORDS: Readonly<Record<string, string>> = {
  ID: 'a name',
  STRING: 'a quoted string',
  NUMBER: 'a number',
  BOOLEAN: 'true or false',
  UNDEFINED: 'undefined',
  NULL: 'null',
  DATA: 'an @variable',
  SEP: '"."',
  EQUALS: '"="',
  OPEN_SEXPR: '"("',
  CLOSE_SEXPR: '")"',
  CLOSE: '"}}"',
  CLOSE_UNESCAPED: '"}}}"',
  CLOSE_RAW_BLOCK: '"}}}}"',
  OPEN_BLOCK_PARAMS: '"as |…|"',
  CLOSE_BLOCK_PARAMS: '"|"',
  OPEN_ENDBLOCK: 'a closing "{{/…}}"',
  INVERSE: '"{{else}}"',
  OPEN_INVERSE_CHAIN: '"{{else …}}"',
  OPEN: '"{{"',
  CONTENT: 'text',
  EOF: 'the end of the text',
  INVALID: 'something that is not valid here',
};

/** Parses template text; never throws. Only strings are ever parsed (never a syntax tree). */
export function parseTemplate(text: string): ParseResult {
  try {
    return { ok: true, ast: handlebarsParser.parse(text) as ProgramNode };
  } catch (error) {
    return { ok: false, error: unclosedMustache(text) ?? describeSyntaxError(error) };
  }
}

/** The most common slip, said plainly: a `{{` with no `}}` after it. */
function unclosedMustache(text: string): TemplateSyntaxError | undefined {
  const open = text.lastIndexOf('{{');
  if (open < 0 || text.indexOf('}}', open + 2) >= 0 || (open > 0 && text[open - 1] === '\\')) return undefined;
  const before = text.slice(0, open);
  const line = before.split('\n').length;
  const column = open - (before.lastIndexOf('\n') + 1) + 1;
  return { message: 'template syntax error: "{{" is never closed with "}}"', line, column };
}

/** Tokens that all stand for "some expression": listed as one phrase. */
const EXPRESSION_TOKENS: ReadonlySet<string> = new Set(['ID', 'STRING', 'NUMBER', 'BOOLEAN', 'UNDEFINED', 'NULL', 'DATA', 'OPEN_SEXPR']);

function describeSyntaxError(error: unknown): TemplateSyntaxError {
  const raw = error instanceof Error ? error.message : String(error);
  // Errors Handlebars raises itself (e.g. "if doesn't match each - 1:3") carry a position.
  const located = error as { lineNumber?: unknown; column?: unknown };
  if (typeof located.lineNumber === 'number' && typeof located.column === 'number') {
    return { message: `template syntax error: ${raw.replace(/ - \d+:\d+$/, '').replace(/^(\w+) doesn't match (\w+)$/, '{{#$1}} is closed by {{/$2}}')}`, line: located.lineNumber, column: located.column + 1 };
  }
  const lexer: HandlebarsLexer | undefined = handlebarsParser.parser.lexer;
  const line = lexer?.yylloc?.first_line ?? 1;
  const column = (lexer?.yylloc?.first_column ?? 0) + 1;
  if (raw.startsWith('Lexical error')) return { message: 'template syntax error: unrecognised text', line, column };
  const expecting = /Expecting (.+), got '([^']+)'/.exec(raw);
  if (expecting === null) return { message: `template syntax error: ${raw.split('\n')[0] ?? raw}`, line, column };
  const tokens = [...(expecting[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1] ?? '');
  const expressions = tokens.filter((t) => EXPRESSION_TOKENS.has(t)).length >= 3;
  const words = tokens.map((t) => (expressions && EXPRESSION_TOKENS.has(t) ? 'a path, a value or a (sub-expression)' : TOKEN_WORDS[t] ?? t));
  const expected = [...new Set(words)];
  const got = expecting[2] ?? 'INVALID';
  const message = `template syntax error: found ${TOKEN_WORDS[got] ?? got} where ${expected.length === 1 ? '' : 'one of '}${expected.join(', ')} was expected`;
  const suggestion = got === 'NUMBER' && expected.length === 1 && expected[0] === TOKEN_WORDS.ID ? 'Write a list index in brackets, e.g. steps.lookup.output.groups.[0]' : got === 'EOF' && expected.includes(TOKEN_WORDS.OPEN_ENDBLOCK ?? '') ? 'Close the block with {{/…}}' : undefined;
  return suggestion === undefined ? { message, line, column } : { message, line, column, suggestion };
}
