/**
 * The lexical layer of the Logstash parser (parse.ts): a cursor over the source, the tokens of
 * logstash-core/lib/logstash/config/grammar.treetop, and its literals (strings, regexps, numbers, barewords).
 */
import type { LogstashValue } from './syntax-tree.js';

type StringValue = Extract<LogstashValue, { kind: 'string' }>;

/** Plugin and attribute names. */
export const NAME = /[A-Za-z_][A-Za-z0-9_-]*/y;
/** grammar.treetop `bareword`: `[A-Za-z_] [A-Za-z0-9_]+` — so `x` and `foo-bar` must be quoted. */
export const BAREWORD = /^[A-Za-z_][A-Za-z0-9_]+$/;
export const NUMBER = /-?[0-9]+(?:\.[0-9]*)?/y;
/** Escapes Logstash decodes (config.support_escapes); any other `\x` is kept as written, e.g. grok's `\d`. */
const ESCAPES: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', n: '\n', t: '\t', r: '\r', '0': '\0' };

/** Thrown inside the parser, turned into a `LogstashSyntaxError` at the API boundary. */
export class ParseFailure extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

/** A position in the source plus the few primitives the parser needs. */
export class Cursor {
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

export function parseString(c: Cursor): StringValue {
  const raw = scanDelimited(c, 'string');
  return { kind: 'string', value: raw.replace(/\\(.)/gs, (escape, ch: string) => ESCAPES[ch] ?? escape) };
}

/**
 * Consumes a string or /regexp/ and returns its raw contents. As in grammar.treetop, a closing
 * delimiter preceded by a backslash never ends it (so `"a\\"` is not a complete string there either).
 */
export function scanDelimited(c: Cursor, what: 'string' | 'regexp'): string {
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

export function parseNumber(c: Cursor): LogstashValue {
  const text = c.take(NUMBER);
  if (text === null) {
    c.advance(1); // past the '-'
    throw c.error(`expected a digit after '-' but found ${c.describeNext()}`);
  }
  return { kind: 'number', value: Number(text) };
}

export function checkBareword(cursor: Cursor, word: string, start: number): string {
  if (BAREWORD.test(word)) return word;
  const rule = 'Logstash barewords are 2+ characters of [A-Za-z0-9_] not starting with a digit';
  throw cursor.error(`bareword ${JSON.stringify(word)} must be quoted: ${rule}`, start);
}

export function unclosed(cursor: Cursor, bracket: string, owner: string, openedAt: number): ParseFailure {
  return cursor.error(`'${bracket}' of ${owner} is never closed (reached end of input)`, openedAt);
}

export const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r';
export const isQuote = (ch: string): boolean => ch === '"' || ch === "'";
export const isDigit = (ch: string): boolean => ch >= '0' && ch <= '9';
