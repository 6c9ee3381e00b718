/**
 * Conditions of `if` and `else if` in the Logstash parser (parse.ts): comparisons, regexp matches, `in`, `not
 * in`, `!`, parentheses and method calls, joined by and/or/xor/nand. The parser only checks them; it keeps
 * their source text.
 */
import { BAREWORD, Cursor, isDigit, isQuote, NAME, parseNumber, parseString, scanDelimited } from './cursor.js';
import { parseArray } from './values.js';

/** One `[...]` of a field reference; its contents may not contain `[`, `]` or `,`. */
const SELECTOR_ELEMENT = /\[[^\][,]+\]/y;
const LOWERCASE_WORD = /[a-z]+/y;
const BOOLEAN_OPERATORS = new Set(['and', 'or', 'xor', 'nand']);
/** Two-character operators first, so `<=` is not read as `<`. */
const COMPARISON_OPERATORS = ['==', '!=', '<=', '>=', '<', '>'];
const REGEXP_OPERATORS = ['=~', '!~'];

/** `expression (and|or|xor|nand expression)*`; returns its source text. */
export function parseCondition(c: Cursor): string {
  const start = c.offset;
  parseExpression(c);
  let end = c.offset;
  for (;;) {
    c.skipIgnorable();
    const operator = c.match(LOWERCASE_WORD);
    if (operator === null || !BOOLEAN_OPERATORS.has(operator)) break;
    c.advance(operator.length);
    c.skipIgnorable();
    parseExpression(c);
    end = c.offset;
  }
  c.offset = end;
  return c.source.slice(start, end);
}

function parseExpression(c: Cursor): void {
  if (c.peek() === '(') return parseParenthesised(c);
  if (c.peek() === '!') {
    // Logstash only negates a field reference or a parenthesised condition: `!"x"` is an error.
    c.advance(1);
    c.skipIgnorable();
    if (c.peek() === '(') return parseParenthesised(c);
    if (c.match(SELECTOR_ELEMENT) !== null) return parseSelector(c);
    throw c.error(`expected a field reference or '(' after '!' but found ${c.describeNext()}`);
  }
  parseRvalue(c);
  const afterLeftOperand = c.offset;
  c.skipIgnorable();
  const regexpOperator = REGEXP_OPERATORS.find((operator) => c.startsWith(operator));
  if (regexpOperator !== undefined) {
    c.advance(regexpOperator.length);
    c.skipIgnorable();
    if (isQuote(c.peek())) return void parseString(c);
    if (c.peek() === '/') return void scanDelimited(c, 'regexp');
    throw c.error(`expected a string or /regexp/ after '${regexpOperator}' but found ${c.describeNext()}`);
  }
  const comparison = COMPARISON_OPERATORS.find((operator) => c.startsWith(operator));
  if (comparison !== undefined) {
    c.advance(comparison.length);
    c.skipIgnorable();
    return parseRvalue(c);
  }
  const word = c.match(LOWERCASE_WORD);
  if (word === 'not') {
    c.advance(word.length);
    c.skipIgnorable();
    if (c.match(LOWERCASE_WORD) !== 'in') throw c.error(`expected 'in' after 'not' but found ${c.describeNext()}`);
  }
  if (word === 'in' || word === 'not') {
    c.advance('in'.length); // either way the cursor is on `in` now
    c.skipIgnorable();
    return parseRvalue(c);
  }
  c.offset = afterLeftOperand; // a lone rvalue, e.g. `if [field] { … }`
}

function parseParenthesised(c: Cursor): void {
  c.advance(1);
  c.skipIgnorable();
  parseCondition(c);
  c.skipIgnorable();
  c.expect(')', "to close the condition's '('");
}

/** string, number, field reference, array, /regexp/ or `method(args)`. */
function parseRvalue(c: Cursor): void {
  const ch = c.peek();
  if (isQuote(ch)) return void parseString(c);
  if (ch === '-' || isDigit(ch)) return void parseNumber(c);
  // As in grammar.treetop, `[...]` is a field reference whenever it can be one, otherwise an array.
  if (ch === '[') return c.match(SELECTOR_ELEMENT) !== null ? parseSelector(c) : void parseArray(c);
  if (ch === '/') return void scanDelimited(c, 'regexp');
  const word = c.match(NAME);
  if (word !== null && BAREWORD.test(word)) {
    const start = c.offset;
    c.advance(word.length);
    c.skipIgnorable();
    if (c.peek() === '(') return parseMethodArguments(c);
    c.offset = start;
  }
  throw c.error(`expected a string, number, [field], array, /regexp/ or method call but found ${c.describeNext()}`);
}

function parseSelector(c: Cursor): void {
  while (c.take(SELECTOR_ELEMENT) !== null);
}

function parseMethodArguments(c: Cursor): void {
  c.advance(1);
  c.skipIgnorable();
  if (c.peek() !== ')') {
    parseRvalue(c);
    for (c.skipIgnorable(); c.peek() === ','; c.skipIgnorable()) {
      c.advance(1);
      c.skipIgnorable();
      parseRvalue(c);
    }
  }
  c.expect(')', "or ',' in method call");
}
