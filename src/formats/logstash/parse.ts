/**
 * Syntax checker for Logstash pipeline configuration (`input { … } filter { … } output { … }`).
 *
 * Why this exists: no npm library parses Logstash's config grammar, and no Logstash runs here
 * to check the pipelines we generate, so we parse it ourselves. This is a hand-written
 * recursive-descent port of Logstash's own PEG grammar
 * (logstash-core/lib/logstash/config/grammar.treetop), including its quirks — barewords need
 * two characters and no '-', arrays reject trailing commas, attributes need whitespace between
 * them — so that what passes here also passes Logstash.
 */

export interface LogstashSyntaxError {
  message: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
}

export type LogstashValue =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bareword'; value: string }
  | { kind: 'array'; items: LogstashValue[] }
  | { kind: 'hash'; entries: { key: string; value: LogstashValue }[] }
  | { kind: 'plugin'; plugin: LogstashPlugin };

export interface LogstashPlugin {
  kind: 'plugin';
  name: string;
  attributes: { name: string; value: LogstashValue }[];
  line: number;
}

export interface LogstashBranch {
  kind: 'branch';
  /** The `if`, any `else if`s and an optional `else`; `condition` is the condition's source text, null for `else`. */
  clauses: { condition: string | null; body: LogstashStatement[] }[];
  line: number;
}

export type LogstashStatement = LogstashPlugin | LogstashBranch;

export interface LogstashSection {
  name: 'input' | 'filter' | 'output';
  body: LogstashStatement[];
  line: number;
}

export interface LogstashPipeline {
  sections: LogstashSection[];
}

export function parseLogstashConfig(
  source: string,
): { ok: true; pipeline: LogstashPipeline } | { ok: false; error: LogstashSyntaxError } {
  const cursor = new Cursor(source);
  try {
    return { ok: true, pipeline: parsePipeline(cursor) };
  } catch (error) {
    if (!(error instanceof ParseFailure)) throw error;
    return { ok: false, error: { message: error.message, ...cursor.positionOf(error.offset) } };
  }
}

type SectionName = LogstashSection['name'];
type StringValue = Extract<LogstashValue, { kind: 'string' }>;

const SECTION_NAMES: readonly string[] = ['input', 'filter', 'output'] satisfies SectionName[];
/** Plugin and attribute names. */
const NAME = /[A-Za-z_][A-Za-z0-9_-]*/y;
/** grammar.treetop `bareword`: `[A-Za-z_] [A-Za-z0-9_]+` — so `x` and `foo-bar` must be quoted. */
const BAREWORD = /^[A-Za-z_][A-Za-z0-9_]+$/;
const NUMBER = /-?[0-9]+(?:\.[0-9]*)?/y;
/** One `[...]` of a field reference; its contents may not contain `[`, `]` or `,`. */
const SELECTOR_ELEMENT = /\[[^\][,]+\]/y;
const LOWERCASE_WORD = /[a-z]+/y;
const BOOLEAN_OPERATORS = new Set(['and', 'or', 'xor', 'nand']);
/** Two-character operators first, so `<=` is not read as `<`. */
const COMPARISON_OPERATORS = ['==', '!=', '<=', '>=', '<', '>'];
const REGEXP_OPERATORS = ['=~', '!~'];
/** Escapes Logstash decodes (config.support_escapes); any other `\x` is kept as written, e.g. grok's `\d`. */
const ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', n: '\n', t: '\t', r: '\r', '0': '\0' };

/** Thrown inside the parser, turned into a `LogstashSyntaxError` at the API boundary. */
class ParseFailure extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

/** A position in the source plus the few primitives the parser needs. */
class Cursor {
  offset = 0;

  constructor(readonly source: string) {}

  atEnd(): boolean {
    return this.offset >= this.source.length;
  }

  peek(): string {
    return this.source[this.offset] ?? '';
  }

  startsWith(text: string): boolean {
    return this.source.startsWith(text, this.offset);
  }

  /** The text a sticky regex matches at the cursor, without consuming it. */
  match(pattern: RegExp): string | null {
    pattern.lastIndex = this.offset;
    return pattern.exec(this.source)?.[0] ?? null;
  }

  /** Consumes and returns what a sticky regex matches at the cursor, or null. */
  take(pattern: RegExp): string | null {
    const text = this.match(pattern);
    if (text !== null) this.offset += text.length;
    return text;
  }

  advance(length: number): void {
    this.offset += length;
  }

  /** Consumes `text` if it is next. */
  eat(text: string): boolean {
    const found = this.startsWith(text);
    if (found) this.offset += text.length;
    return found;
  }

  /** Consumes `text`, or fails with "expected '<text>' <context> but found …". */
  expect(text: string, context: string): void {
    if (!this.eat(text)) throw this.error(`expected '${text}' ${context} but found ${this.describeNext()}`);
  }

  /** Skips whitespace and `#` comments (grammar.treetop `cs`). */
  skipIgnorable(): void {
    for (;;) {
      const ch = this.peek();
      if (isWhitespace(ch)) {
        this.offset++;
      } else if (ch === '#') {
        const endOfLine = this.source.indexOf('\n', this.offset);
        this.offset = endOfLine === -1 ? this.source.length : endOfLine + 1;
      } else {
        return;
      }
    }
  }

  error(message: string, offset = this.offset): ParseFailure {
    return new ParseFailure(message, offset);
  }

  /** What is at the cursor, phrased for the end of an error message. */
  describeNext(): string {
    if (this.atEnd()) return 'end of input';
    const ch = this.peek();
    if (ch === '"' || ch === "'") return 'a quoted string';
    if (this.startsWith('=>')) return "'=>'";
    const word = this.match(/[A-Za-z0-9_.-]+/y);
    return word !== null ? JSON.stringify(word) : `'${ch}'`;
  }

  /** Where each line starts, found once. A fleet's pipeline has thousands of plugins; rescanning the source
   * from its start for each plugin's line made parsing quadratic (0.8 s for 1,000 services, see bench/). */
  private lineStarts: number[] | undefined;

  positionOf(offset: number): { line: number; column: number } {
    const starts = (this.lineStarts ??= lineStartsOf(this.source));
    // The last line that starts at or before `offset` (binary search).
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - starts[low]! + 1 };
  }
}

function lineStartsOf(source: string): number[] {
  const starts = [0];
  for (let at = source.indexOf('\n'); at !== -1; at = source.indexOf('\n', at + 1)) starts.push(at + 1);
  return starts;
}

function parsePipeline(c: Cursor): LogstashPipeline {
  const sections: LogstashSection[] = [];
  c.skipIgnorable();
  while (!c.atEnd()) {
    sections.push(parseSection(c));
    c.skipIgnorable();
  }
  return { sections };
}

function parseSection(c: Cursor): LogstashSection {
  if (c.peek() === '}') throw c.error("unexpected '}' at top level: there is no open section to close");
  const name = c.match(NAME);
  if (name === null || !SECTION_NAMES.includes(name)) {
    throw c.error(`expected one of input, filter, output but found ${c.describeNext()}`);
  }
  const line = c.positionOf(c.offset).line;
  c.advance(name.length);
  c.skipIgnorable();
  return { name: name as SectionName, body: parseBlock(c, `the "${name}" section`), line };
}

/** `{ (plugin | if …)* }`: the body of a section or of an if/else clause. */
function parseBlock(c: Cursor, owner: string): LogstashStatement[] {
  const open = expectOpenBrace(c, owner);
  const body: LogstashStatement[] = [];
  for (;;) {
    c.skipIgnorable();
    if (c.atEnd()) throw unclosed(c, '{', owner, open);
    if (c.eat('}')) return body;
    body.push(parseStatement(c));
  }
}

function expectOpenBrace(c: Cursor, owner: string): number {
  const open = c.offset;
  c.expect('{', `to open ${owner}`);
  return open;
}

function parseStatement(c: Cursor): LogstashStatement {
  const word = c.match(NAME);
  if (word === 'if') return parseBranch(c);
  if (word === 'else') throw c.error("found 'else' without a preceding 'if' block");
  if (word === null) throw c.error(`expected a plugin or an 'if' conditional but found ${c.describeNext()}`);
  return parsePlugin(c, word);
}

function parsePlugin(c: Cursor, name: string): LogstashPlugin {
  const line = c.positionOf(c.offset).line;
  c.advance(name.length);
  c.skipIgnorable();
  const owner = `plugin "${name}"`;
  const open = expectOpenBrace(c, owner);
  const attributes: LogstashPlugin['attributes'] = [];
  c.skipIgnorable();
  for (;;) {
    if (c.atEnd()) throw unclosed(c, '{', owner, open);
    if (c.eat('}')) return { kind: 'plugin', name, attributes, line };
    const attribute = parseAttribute(c);
    attributes.push(attribute);
    // grammar.treetop separates attributes with mandatory whitespace: `a => 1b => 2` is an error.
    const valueEnd = c.offset;
    const separated = isWhitespace(c.peek());
    c.skipIgnorable();
    if (!separated && !c.atEnd() && c.peek() !== '}') {
      throw c.error(`expected whitespace or '}' after the value of attribute "${attribute.name}"`, valueEnd);
    }
  }
}

function parseAttribute(c: Cursor): { name: string; value: LogstashValue } {
  const name = isQuote(c.peek()) ? parseString(c).value : c.take(NAME);
  if (name === null) throw c.error(`expected an attribute name or '}' but found ${c.describeNext()}`);
  c.skipIgnorable();
  c.expect('=>', `after attribute name ${JSON.stringify(name)}`);
  c.skipIgnorable();
  return { name, value: parseValue(c, `attribute ${JSON.stringify(name)}`) };
}

function parseValue(c: Cursor, owner: string): LogstashValue {
  const ch = c.peek();
  if (isQuote(ch)) return parseString(c);
  if (ch === '[') return parseArray(c);
  if (ch === '{') return parseHash(c);
  if (ch === '-' || isDigit(ch)) return parseNumber(c);
  const word = c.match(NAME);
  if (word === null) throw c.error(`expected a value for ${owner} but found ${c.describeNext()}`);
  // `codec => json { … }` is a nested plugin, `codec => json` a bareword: look past the name for '{'.
  const start = c.offset;
  c.advance(word.length);
  c.skipIgnorable();
  if (c.peek() === '{') {
    c.offset = start;
    return { kind: 'plugin', plugin: parsePlugin(c, word) };
  }
  c.offset = start + word.length;
  return { kind: 'bareword', value: checkBareword(c, word, start) };
}

function parseString(c: Cursor): StringValue {
  const raw = scanDelimited(c, 'string');
  return { kind: 'string', value: raw.replace(/\\(.)/gs, (escape, ch: string) => ESCAPES[ch] ?? escape) };
}

/**
 * Consumes a string or /regexp/ and returns its raw contents. As in grammar.treetop, a closing
 * delimiter preceded by a backslash never ends it (so `"a\\"` is not a complete string there either).
 */
function scanDelimited(c: Cursor, what: 'string' | 'regexp'): string {
  const start = c.offset;
  const delimiter = c.peek();
  let end = start + 1;
  for (;;) {
    const ch = c.source[end];
    if (ch === undefined) throw c.error(`unterminated ${what}: the ${delimiter} here is never closed`, start);
    if (ch === delimiter) break;
    end += ch === '\\' && c.source[end + 1] === delimiter ? 2 : 1;
  }
  c.offset = end + 1;
  return c.source.slice(start + 1, end);
}

function parseNumber(c: Cursor): LogstashValue {
  const text = c.take(NUMBER);
  if (text === null) {
    c.advance(1); // past the '-'
    throw c.error(`expected a digit after '-' but found ${c.describeNext()}`);
  }
  return { kind: 'number', value: Number(text) };
}

/** `[ value, value ]`; Logstash rejects a trailing comma. */
function parseArray(c: Cursor): LogstashValue {
  const open = c.offset;
  const items: LogstashValue[] = [];
  c.advance(1);
  c.skipIgnorable();
  if (c.eat(']')) return { kind: 'array', items };
  for (;;) {
    if (c.atEnd()) throw unclosed(c, '[', 'array', open);
    items.push(parseValue(c, 'array element'));
    c.skipIgnorable();
    if (c.eat(']')) return { kind: 'array', items };
    if (c.atEnd()) throw unclosed(c, '[', 'array', open);
    if (c.peek() !== ',') throw c.error(`expected ',' or ']' in array but found ${c.describeNext()}`);
    const comma = c.offset;
    c.advance(1);
    c.skipIgnorable();
    if (c.peek() === ']') throw c.error('trailing comma in array is not allowed by Logstash', comma);
  }
}

/** `{ key => value  key2 => value2 }`: entries are separated by whitespace only, not commas. */
function parseHash(c: Cursor): LogstashValue {
  const open = c.offset;
  const entries: { key: string; value: LogstashValue }[] = [];
  c.advance(1);
  for (;;) {
    c.skipIgnorable();
    if (c.atEnd()) throw unclosed(c, '{', 'hash', open);
    if (c.eat('}')) return { kind: 'hash', entries };
    const key = parseHashKey(c);
    c.skipIgnorable();
    c.expect('=>', `after hash key ${JSON.stringify(key)}`);
    c.skipIgnorable();
    entries.push({ key, value: parseValue(c, `hash key ${JSON.stringify(key)}`) });
  }
}

function parseHashKey(c: Cursor): string {
  const ch = c.peek();
  if (isQuote(ch)) return parseString(c).value;
  const number = c.take(NUMBER);
  if (number !== null) return number;
  const start = c.offset;
  const word = c.take(NAME);
  if (word !== null) return checkBareword(c, word, start);
  const hint = ch === ',' ? ' (hash entries are separated by whitespace, not commas)' : '';
  throw c.error(`expected a hash key (string, number or bareword) or '}' but found ${c.describeNext()}${hint}`);
}

/** `if cond { … } else if cond { … } else { … }`; the cursor is on `if`. */
function parseBranch(c: Cursor): LogstashBranch {
  const line = c.positionOf(c.offset).line;
  c.advance('if'.length);
  const clauses: LogstashBranch['clauses'] = [parseConditionalClause(c, "'if'")];
  for (;;) {
    const afterClause = c.offset;
    c.skipIgnorable();
    if (c.match(NAME) !== 'else') {
      c.offset = afterClause;
      break;
    }
    c.advance('else'.length);
    c.skipIgnorable();
    if (c.match(NAME) === 'if') {
      c.advance('if'.length);
      clauses.push(parseConditionalClause(c, "'else if'"));
    } else {
      clauses.push({ condition: null, body: parseBlock(c, "the 'else' block") });
      break;
    }
  }
  return { kind: 'branch', clauses, line };
}

function parseConditionalClause(c: Cursor, keyword: string): LogstashBranch['clauses'][number] {
  c.skipIgnorable();
  const condition = parseCondition(c);
  c.skipIgnorable();
  return { condition, body: parseBlock(c, `the ${keyword} block`) };
}

/** `expression (and|or|xor|nand expression)*`; returns its source text. */
function parseCondition(c: Cursor): string {
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

function checkBareword(cursor: Cursor, word: string, start: number): string {
  if (BAREWORD.test(word)) return word;
  const rule = 'Logstash barewords are 2+ characters of [A-Za-z0-9_] not starting with a digit';
  throw cursor.error(`bareword ${JSON.stringify(word)} must be quoted: ${rule}`, start);
}

function unclosed(cursor: Cursor, bracket: string, owner: string, openedAt: number): ParseFailure {
  return cursor.error(`'${bracket}' of ${owner} is never closed (reached end of input)`, openedAt);
}

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
const isQuote = (ch: string): boolean => ch === '"' || ch === "'";
const isDigit = (ch: string): boolean => ch >= '0' && ch <= '9';
