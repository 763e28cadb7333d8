import { CST, Lexer } from 'yaml';
import { escapeHtml } from './html-escape.js';

/**
 * A template's YAML source as HTML, each token wrapped in a `<span>` naming its kind, from the
 * `yaml` package's own lexer (the parser idflow loads templates with), so the colours follow
 * the same reading of the text as the loader's, with no highlighting library.
 *
 * Classes: `k` a key, `s` a string, `n` a number, boolean or null, `c` a comment, `p` an
 * indicator (`-`, `:`, brackets, block-scalar headers, document markers), `a` an anchor or
 * alias, `t` a tag. Every piece of text is escaped; what is not a token's text (the lexer's
 * markers) is left out, so the HTML's text is the source exactly.
 */
export function highlightYaml(source: string): string {
  const tokens = [...new Lexer().lex(source)];
  let html = '';
  let scalarNext = false;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index] as string;
    const type = CST.tokenType(token);
    if (type === 'doc-mode' || type === 'flow-error-end' || type === 'byte-order-mark') continue;
    if (type === 'scalar') {
      scalarNext = true;
      continue;
    }
    let kind: string | undefined;
    if (scalarNext) {
      scalarNext = false;
      // A block scalar's body comes as "space" after its marker: it is the string's text.
      kind = isKey(tokens, index) ? 'k' : type === null && /^(true|false|null|~|-?\d[\d_]*(\.\d+)?([eE][-+]?\d+)?|0x[0-9a-fA-F]+|\.inf|-\.inf|\.nan)$/.test(token) ? 'n' : 's';
    } else {
      kind = kindOf(type, tokens, index);
    }
    html += kind === undefined ? escapeHtml(token) : `<span class="${kind}">${escapeHtml(token)}</span>`;
  }
  return html;
}

function kindOf(type: ReturnType<typeof CST.tokenType>, tokens: readonly string[], index: number): string | undefined {
  switch (type) {
    case 'single-quoted-scalar':
    case 'double-quoted-scalar':
      return isKey(tokens, index) ? 'k' : 's';
    case 'comment':
      return 'c';
    case 'anchor':
    case 'alias':
      return 'a';
    case 'tag':
      return 't';
    case 'seq-item-ind':
    case 'map-value-ind':
    case 'explicit-key-ind':
    case 'flow-map-start':
    case 'flow-map-end':
    case 'flow-seq-start':
    case 'flow-seq-end':
    case 'comma':
    case 'block-scalar-header':
    case 'doc-start':
    case 'doc-end':
    case 'directive-line':
      return 'p';
    default:
      return undefined;
  }
}

/** Whether the scalar at `index` is a mapping key: the next token past spaces is `:`. */
function isKey(tokens: readonly string[], index: number): boolean {
  for (let next = index + 1; next < tokens.length; next++) {
    const type = CST.tokenType(tokens[next] as string);
    if (type === 'space') continue;
    return type === 'map-value-ind';
  }
  return false;
}
