import { createRequire } from 'node:module';

/**
 * Handlebars' parser alone, without its compiler and runtime.
 *
 * `import Handlebars from 'handlebars'` loads the whole library: the runtime, the compiler, the
 * JavaScript code generator and the `source-map` package it needs. Checking a template only
 * parses it, and that import was the largest part of a cold `idflow validate` after node's own
 * start. This module loads only `compiler/base` (the jison parser, the whitespace pass and the
 * AST helpers). It is the very module the full library re-exports as `Handlebars.parse` and
 * `Handlebars.Parser` (same file, so the same instance once both are loaded): the trees and
 * errors are identical, which the templating tests check.
 *
 * The path is inside the package (handlebars 4 has no `exports` map, so it may be required);
 * a major upgrade of handlebars must check it still holds the parser.
 */

/** The jison lexer's position after a failed parse (see parse-template.ts). */
export interface HandlebarsLexer {
  yylloc?: { first_line: number; first_column: number };
}

/** What `handlebars/dist/cjs/handlebars/compiler/base.js` exports that idflow uses. */
export interface HandlebarsParser {
  /** Parses template text into Handlebars' syntax tree (whitespace control applied); throws on a syntax error. */
  parse(text: string): unknown;
  /** The jison parser; its `lexer` holds the position a failed parse stopped at. */
  parser: { lexer?: HandlebarsLexer };
}

const require = createRequire(import.meta.url);

/** Handlebars' parser (see the module's comment). */
export const handlebarsParser = require('handlebars/dist/cjs/handlebars/compiler/base.js') as HandlebarsParser;
