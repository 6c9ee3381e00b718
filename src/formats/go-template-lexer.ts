/**
 * The lexer of the Go text/template check (go-template.ts): a template's tokens, as
 * go/src/text/template/parse/lex.go splits them with the default delimiters, and the lexical errors it reports.
 */

export type TokenKind = 'text' | 'left' | 'right' | 'space' | 'identifier' | 'keyword' | 'field' | 'variable' | 'dot' | 'string'
  | 'number' | 'bool' | 'nil' | 'char' | 'pipe' | 'declare' | 'assign' | 'leftParen' | 'rightParen' | 'comma' | 'comment' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly offset: number;
}

/** One escape sequence strconv.Unquote accepts. */
const goEscape = String.raw`\\(?:[abfnrtv\\'"]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3})`;

const keywords = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);

/** A parse-time error of a template, with the byte offset it was found at. */
export class TemplateSyntaxError extends Error {
  constructor(readonly offset: number, message: string) {
    super(message);
  }
}

/** Splits a template into tokens the way text/template/parse/lex.go does (default delimiters). */
export function lex(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    if (open < 0) {
      tokens.push({ kind: 'text', text: source.slice(pos), offset: pos });
      break;
    }
    if (open > pos) tokens.push({ kind: 'text', text: source.slice(pos, open), offset: pos });
    pos = open + 2;
    // A trim marker is "-" followed by a space, tab, carriage return or newline.
    if (source[pos] === '-' && /[ \t\r\n]/.test(source[pos + 1] ?? '')) pos += 2;
    // A comment must follow the delimiter (and trim marker) directly, and end directly before the closing one.
    if (source.slice(pos, pos + 2) === '/*') {
      const close = source.indexOf('*/', pos + 2);
      if (close < 0) throw new TemplateSyntaxError(open, 'unclosed comment');
      pos = close + 2;
      const right = /^( -)?\}\}/.exec(source.slice(pos));
      if (!right) throw new TemplateSyntaxError(pos, 'comment ends before closing delimiter');
      pos += right[0].length;
      tokens.push({ kind: 'comment', text: '', offset: open });
      continue;
    }
    tokens.push({ kind: 'left', text: '{{', offset: open });
    pos = lexInsideAction(source, pos, tokens, open);
  }
  tokens.push({ kind: 'eof', text: '', offset: source.length });
  return tokens;
}

function lexInsideAction(source: string, start: number, tokens: Token[], open: number): number {
  let pos = start;
  let parens = 0;
  for (;;) {
    if (pos >= source.length) throw new TemplateSyntaxError(open, 'unclosed action');
    const rest = source.slice(pos);
    const rightTrim = /^[ \t\r\n]-\}\}/.exec(rest);
    if (rightTrim || rest.startsWith('}}')) {
      if (parens > 0) throw new TemplateSyntaxError(pos, 'unclosed left paren');
      const length = rightTrim ? rightTrim[0].length : 2;
      tokens.push({ kind: 'right', text: '}}', offset: pos });
      return pos + length;
    }
    const c = source[pos]!;
    const push = (kind: TokenKind, length: number): void => {
      tokens.push({ kind, text: source.slice(pos, pos + length), offset: pos });
      pos += length;
    };
    if (/[ \t\r\n]/.test(c)) {
      const m = /^[ \t\r\n]+/.exec(rest)![0];
      // The last space before a " -}}" trim marker belongs to the marker (handled at the top of the loop).
      const length = /^[ \t\r\n]-\}\}/.test(rest.slice(m.length - 1)) ? m.length - 1 : m.length;
      if (length === 0) continue;
      push('space', length);
    } else if (rest.startsWith(':=')) push('declare', 2);
    else if (c === '=') push('assign', 1);
    else if (c === '|') push('pipe', 1);
    else if (c === ',') push('comma', 1);
    else if (c === '(') { parens++; push('leftParen', 1); }
    else if (c === ')') {
      if (--parens < 0) throw new TemplateSyntaxError(pos, `unexpected right paren`);
      push('rightParen', 1);
    } else if (c === '"') {
      const m = /^"(?:[^"\\\n]|\\.)*"/.exec(rest);
      if (!m) throw new TemplateSyntaxError(pos, 'unterminated quoted string');
      // The parser unquotes it with strconv.Unquote, which knows only Go's escapes.
      if (!new RegExp(`^"(?:[^"\\\\]|${goEscape})*"$`).test(m[0])) throw new TemplateSyntaxError(pos, `bad string syntax: ${m[0]}`);
      push('string', m[0].length);
    } else if (c === '`') {
      const close = source.indexOf('`', pos + 1);
      if (close < 0) throw new TemplateSyntaxError(pos, 'unterminated raw quoted string');
      push('string', close + 1 - pos);
    } else if (c === "'") {
      const m = /^'(?:[^'\\\n]|\\.)+'/.exec(rest);
      if (!m) throw new TemplateSyntaxError(pos, 'unterminated character constant');
      if (!new RegExp(`^'(?:[^'\\\\]|${goEscape})'$`, 'u').test(m[0])) throw new TemplateSyntaxError(pos, `malformed character constant: ${m[0]}`);
      push('char', m[0].length);
    } else if (c === '$') {
      const m = /^\$[\p{L}\p{Nd}_]*/u.exec(rest)!;
      push('variable', m[0].length);
    } else if (c === '.' && !/[0-9]/.test(source[pos + 1] ?? '')) {
      const m = /^\.[\p{L}_][\p{L}\p{Nd}_]*/u.exec(rest);
      if (m) push('field', m[0].length);
      else push('dot', 1);
    } else if (/[-+0-9.]/.test(c)) {
      const m = /^[-+]?(0[xX][0-9a-fA-F_]+|0[bBoO][0-7_]+|[0-9_]*\.?[0-9_]+([eE][-+]?[0-9_]+)?)i?/.exec(rest);
      if (!m || m[0] === '-' || m[0] === '+' || /^[\p{L}\p{Nd}_]/u.test(rest.slice(m[0].length))) throw new TemplateSyntaxError(pos, `bad number syntax: ${JSON.stringify(rest.slice(0, 8))}`);
      push('number', m[0].length);
    } else if (/[\p{L}_]/u.test(c)) {
      const word = /^[\p{L}\p{Nd}_]+/u.exec(rest)![0];
      // Go's lexer wants a word to end at a space, delimiter, paren, pipe, `.`, `,` or `=` (lex.go atTerminator).
      const after = rest.slice(word.length);
      if (after && !/^([ \t\r\n.,|()=:]|\}\}|-\}\})/.test(after)) throw new TemplateSyntaxError(pos + word.length, `bad character ${JSON.stringify(after[0])}`);
      const kind: TokenKind = keywords.has(word) ? 'keyword' : word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : 'identifier';
      push(kind, word.length);
    } else {
      throw new TemplateSyntaxError(pos, `unrecognized character in action: ${JSON.stringify(c)}`);
    }
    // A field chain after a variable, field or paren (`$labels.team`, `(x).Y`) lexes as fields.
    const chain = /^(\.[\p{L}_][\p{L}\p{Nd}_]*)+/u.exec(source.slice(pos));
    const last = tokens[tokens.length - 1]!;
    if (chain && (last.kind === 'variable' || last.kind === 'rightParen' || last.kind === 'field')) {
      tokens.push({ kind: 'field', text: chain[0], offset: pos });
      pos += chain[0].length;
    }
  }
}
