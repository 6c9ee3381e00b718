/**
 * Plugins and their values in the Logstash parser (parse.ts): `name { attribute => value … }`, where a value is
 * a string, number, bareword, array, hash or a nested plugin (`codec => json { … }`).
 */
import { checkBareword, Cursor, isDigit, isQuote, isWhitespace, NAME, NUMBER, parseNumber, parseString, unclosed } from './cursor.js';
import type { LogstashPlugin, LogstashValue } from './syntax-tree.js';

export function expectOpenBrace(c: Cursor, owner: string): number {
  const open = c.offset;
  c.expect('{', `to open ${owner}`);
  return open;
}

export function parsePlugin(c: Cursor, name: string): LogstashPlugin {
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

/** `[ value, value ]`; Logstash rejects a trailing comma. */
export function parseArray(c: Cursor): LogstashValue {
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
